//! Where things go: a time axis that keeps order readable.
//!
//! A runtime's trace mixes polls a microsecond long with idle gaps of seconds (a virtual clock
//! jumps minutes at once), so a linear axis shows either the gaps or the polls. The axis here is
//! linear between consecutive moments the trace mentions, with each step clamped: at least
//! [`MIN_STEP`] pixels (so events at the same time stay apart and in order) and at most
//! [`MAX_STEP`] (a longer gap is drawn shortened, with a break mark saying how long it was).
//! Each box is at least [`MIN_BOX`] wide; on a lane, a box that would overlap the one before it
//! is pushed right, so order on a lane is always what the eye reads.

use super::trace::Trace;

/// Left margin for the lane names.
pub const LABELS: f64 = 120.0;
/// The width of the typical (median) poll.
const TYPICAL_POLL: f64 = 60.0;
/// The width of the typical step between two moments, when the polls have no length.
const TYPICAL_STEP: f64 = 14.0;
/// The fewest pixels between two different moments.
pub const MIN_STEP: f64 = 3.0;
/// The most pixels one gap gets; longer gaps are shortened and marked.
pub const MAX_STEP: f64 = 120.0;
/// The narrowest box.
pub const MIN_BOX: f64 = 6.0;
/// Height of one nesting level of a lane.
pub const ROW: f64 = 26.0;
/// Space above the first lane (the axis) and between lanes.
pub const TOP: f64 = 34.0;
pub const LANE_GAP: f64 = 18.0;

/// A shortened gap: where it is drawn and how long it really was (trace microseconds).
#[derive(Clone, Copy, Debug)]
pub struct Break {
    pub x: f64,
    pub micros: f64,
}

/// Positions for everything in a trace.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Every distinct moment of the trace, sorted, and its x.
    moments: Vec<f64>,
    xs: Vec<f64>,
    /// Each slice's left and right edge, by index into `Trace::slices`.
    pub boxes: Vec<(f64, f64)>,
    /// The top of each lane and its height.
    pub lanes: Vec<(f64, f64)>,
    pub breaks: Vec<Break>,
    pub width: f64,
    pub height: f64,
}

impl Layout {
    /// Lays out `trace`.
    pub fn new(trace: &Trace) -> Layout {
        let mut moments: Vec<f64> = trace
            .slices
            .iter()
            .flat_map(|s| [s.start, s.end])
            .chain(trace.marks.iter().map(|m| m.ts))
            .chain(trace.flows.iter().map(|f| f.from_ts))
            .collect();
        moments.sort_by(f64::total_cmp);
        moments.dedup();
        // Scaled by the median poll (or step), not the whole span: one long gap (a virtual
        // clock's jump) must not squeeze every poll to the narrowest box.
        let scale = match median(trace.slices.iter().map(|s| s.end - s.start)) {
            Some(poll) => TYPICAL_POLL / poll,
            None => median(moments.windows(2).map(|pair| pair[1] - pair[0]))
                .map_or(1.0, |step| TYPICAL_STEP / step),
        };
        let mut xs = Vec::with_capacity(moments.len());
        let mut breaks = Vec::new();
        let mut x = LABELS + MIN_BOX;
        for (i, moment) in moments.iter().enumerate() {
            if i > 0 {
                let micros = moment - moments[i - 1];
                let step = micros * scale;
                if step > MAX_STEP {
                    breaks.push(Break {
                        x: x + MAX_STEP / 2.0,
                        micros,
                    });
                }
                x += step.clamp(MIN_STEP, MAX_STEP);
            }
            xs.push(x);
        }
        let mut layout = Layout {
            moments,
            xs,
            boxes: Vec::new(),
            lanes: Vec::new(),
            breaks,
            width: 0.0,
            height: 0.0,
        };
        layout.place_boxes(trace);
        layout.place_lanes(trace);
        layout
    }

    /// The x of a moment the trace mentions (the nearest one for any other).
    pub fn x(&self, ts: f64) -> f64 {
        let at = self.moments.partition_point(|&m| m < ts);
        match self.xs.get(at) {
            Some(&x) => x,
            None => self.xs.last().copied().unwrap_or(LABELS),
        }
    }

    fn place_boxes(&mut self, trace: &Trace) {
        // Slices are sorted by lane, then start: the last right edge per (lane, depth) is enough.
        let mut right_edge: std::collections::HashMap<(usize, usize), f64> = Default::default();
        let mut widest: f64 = LABELS;
        for slice in &trace.slices {
            let edge = right_edge.entry((slice.lane, slice.depth)).or_insert(0.0);
            let left = self.x(slice.start).max(*edge);
            let right = self.x(slice.end).max(left + MIN_BOX);
            // One pixel apart, so neighbours read as two boxes.
            *edge = right + 1.0;
            widest = widest.max(right);
            self.boxes.push((left, right));
        }
        let last_moment = self.xs.last().copied().unwrap_or(LABELS);
        self.width = widest.max(last_moment) + 2.0 * MIN_BOX;
    }

    fn place_lanes(&mut self, trace: &Trace) {
        let mut top = TOP;
        for lane in &trace.lanes {
            let height = ROW * lane.depth as f64 + 14.0;
            self.lanes.push((top, height));
            top += height + LANE_GAP;
        }
        self.height = top;
    }

    /// The x of a point inside slice `index` at `ts`, kept within its box.
    pub fn inside(&self, index: usize, ts: f64) -> f64 {
        let (left, right) = self.boxes[index];
        self.x(ts).clamp(left, right)
    }
}

/// The median of the positive values, if there is one.
fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut values: Vec<f64> = values.filter(|v| *v > 0.0).collect();
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}
