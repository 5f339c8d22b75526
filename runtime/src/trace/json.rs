//! Writing a trace as Chrome's trace-event JSON (the "JSON Object Format": `traceEvents` plus
//! `displayTimeUnit`), one event per line so two traces diff line by line.
//!
//! Tracks: one per worker (`tid` 1…N, named `worker 0`…), then `block_on`, `outside` and
//! `clock`, all in one process. Polls are complete events (`ph: X`); arrows are flow events
//! (`ph: s` inside the waking slice, `ph: f` with `bp: e` at the start of the woken poll, so
//! both ends bind to their slices); everything else is a thread-scoped instant (`ph: i`).
//! Times are microseconds with three decimals (nanosecond resolution), printed from integers,
//! so the same events always give the same bytes.

use super::{Event, Lane, Target, What};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::Location;

/// Writes `events` to `target.path`; a failure is printed as a warning (a trace is a
/// by-product: losing it must not take the program down).
pub(crate) fn write_or_warn(target: &Target, events: &[Event]) {
    let text = render(target, events);
    let written =
        std::fs::File::create(&target.path).and_then(|mut file| file.write_all(text.as_bytes()));
    if let Err(error) = written {
        eprintln!(
            "tasklings: could not write the trace to {}: {error} (TASKLINGS_TRACE names the file)",
            target.path.display()
        );
    }
}

/// The whole file.
pub(crate) fn render(target: &Target, events: &[Event]) -> String {
    let mut out = String::with_capacity(events.len() * 120 + 1024);
    out.push_str("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
    let _ = write!(
        out,
        "{{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{{\"name\":{}}}}}",
        quoted(&target.title)
    );
    let lanes =
        (0..target.workers)
            .map(Lane::Worker)
            .chain([Lane::Main, Lane::Outside, Lane::Clock]);
    for lane in lanes {
        let tid = tid(lane, target.workers);
        let _ = write!(
            out,
            ",\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\"name\":\"thread_name\",\"args\":{{\"name\":{}}}}}\
             ,\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\"name\":\"thread_sort_index\",\"args\":{{\"sort_index\":{tid}}}}}",
            quoted(&lane_name(lane))
        );
    }
    let mut tasks: HashMap<u64, (Option<&str>, &'static Location<'static>)> = HashMap::new();
    for event in events {
        if let What::Spawn {
            task,
            name,
            location,
        } = &event.what
        {
            tasks.insert(*task, (name.as_deref(), location));
        }
        out.push_str(",\n");
        render_event(&mut out, event, target.workers, &tasks);
    }
    out.push_str("\n]}\n");
    out
}

type Tasks<'a> = HashMap<u64, (Option<&'a str>, &'static Location<'static>)>;

fn render_event(out: &mut String, event: &Event, workers: usize, tasks: &Tasks<'_>) {
    let head = format!(
        "\"pid\":1,\"tid\":{},\"ts\":{}",
        tid(event.lane, workers),
        micros(event.ts)
    );
    let _ = match &event.what {
        What::Poll { task, dur, flow } => {
            let (name, location) = tasks
                .get(task)
                .copied()
                .unwrap_or((None, Location::caller()));
            let label = name.map_or_else(|| format!("task {task}"), str::to_string);
            let _ = write!(
                out,
                "{{\"ph\":\"X\",\"name\":{},\"cat\":\"poll\",{head},\"dur\":{},\"args\":{{\"task\":{task},\"spawned_at\":{}}}}}",
                quoted(&label),
                micros(*dur),
                quoted(&location.to_string())
            );
            flow_end(out, *flow, &head)
        }
        What::MainPoll { dur, flow } => {
            let _ = write!(
                out,
                "{{\"ph\":\"X\",\"name\":\"block_on\",\"cat\":\"poll\",{head},\"dur\":{}}}",
                micros(*dur)
            );
            flow_end(out, *flow, &head)
        }
        What::Wake { flow } => write!(
            out,
            "{{\"ph\":\"s\",\"name\":\"wake\",\"cat\":\"wake\",\"id\":{flow},{head}}}"
        ),
        What::Spawn { task, .. } => instant(out, "spawn", &head, &format!("\"task\":{task}")),
        What::Steal { victim, task } => instant(
            out,
            "steal",
            &head,
            &format!("\"task\":{task},\"from_worker\":{victim}"),
        ),
        What::Park => instant(out, "park", &head, ""),
        What::Unpark => instant(out, "unpark", &head, ""),
        What::TimerFire { woken } => {
            instant(out, "timer fire", &head, &format!("\"woken\":{woken}"))
        }
        What::TaskEnd { task } => instant(out, "task end", &head, &format!("\"task\":{task}")),
    };
}

fn flow_end(out: &mut String, flow: Option<u64>, head: &str) -> std::fmt::Result {
    match flow {
        Some(flow) => write!(
            out,
            ",\n{{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"wake\",\"cat\":\"wake\",\"id\":{flow},{head}}}"
        ),
        None => Ok(()),
    }
}

fn instant(out: &mut String, name: &str, head: &str, args: &str) -> std::fmt::Result {
    write!(
        out,
        "{{\"ph\":\"i\",\"s\":\"t\",\"name\":\"{name}\",\"cat\":\"{name}\",{head},\"args\":{{{args}}}}}"
    )
}

fn tid(lane: Lane, workers: usize) -> usize {
    match lane {
        Lane::Worker(w) => w + 1,
        Lane::Main => workers + 1,
        Lane::Outside => workers + 2,
        Lane::Clock => workers + 3,
    }
}

fn lane_name(lane: Lane) -> String {
    match lane {
        Lane::Worker(w) => format!("worker {w}"),
        Lane::Main => "block_on".to_string(),
        Lane::Outside => "outside the workers".to_string(),
        Lane::Clock => "clock (timers)".to_string(),
    }
}

/// Nanoseconds as microseconds with three decimals.
fn micros(ns: u64) -> String {
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

/// A JSON string literal.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn events_render_as_one_line_each_with_escaped_names() {
        let target = Target {
            path: PathBuf::from("unused.json"),
            title: "a \"quoted\" title".to_string(),
            workers: 1,
        };
        let here = Location::caller();
        let events = [
            Event {
                lane: Lane::Main,
                ts: 0,
                what: What::Spawn {
                    task: 1,
                    name: Some("pinger".into()),
                    location: here,
                },
            },
            Event {
                lane: Lane::Worker(0),
                ts: 1500,
                what: What::Poll {
                    task: 1,
                    dur: 1000,
                    flow: Some(3),
                },
            },
        ];
        let text = render(&target, &events);
        assert!(text.contains(r#""name":"a \"quoted\" title""#), "{text}");
        assert!(
            text.contains(r#""name":"pinger","cat":"poll","pid":1,"tid":1,"ts":1.500,"dur":1.000"#)
        );
        assert!(text.contains(r#""ph":"f","bp":"e""#));
        assert!(text.lines().count() > events.len() + 4);
    }
}
