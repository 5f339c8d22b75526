module tasklings/compare-go

go 1.19
