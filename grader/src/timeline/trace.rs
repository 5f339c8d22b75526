//! Reading a Chrome trace-event file into what the timeline draws: lanes (one per thread, or per
//! worker the runtime names), slices (polls), instants and flows (wake arrows).
//!
//! The format is Google's "Trace Event Format" document, the one `chrome://tracing` and Perfetto
//! open: a JSON array of events, or an object whose `traceEvents` holds them. Every event has a
//! phase `ph`; this reader understands the ones a runtime writes — complete slices (`X`),
//! begin/end pairs (`B`/`E`), instants (`i`, `I`), flows (`s`/`t`/`f`, and Perfetto's
//! `bind_id` with `flow_in`/`flow_out` on a slice), and the metadata that names threads
//! (`M`: `thread_name`, `thread_sort_index`). Other phases (counters, async slices) are counted
//! and left out, so a trace from another tool still opens.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

/// Why a file is not a trace this reader can draw.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// Not JSON at all.
    #[error("it is not JSON ({0}); a trace is the JSON file TASKLINGS_TRACE names")]
    NotJson(#[from] serde_json::Error),
    /// JSON, but neither an array of events nor an object with `traceEvents`.
    #[error(
        "it is JSON but not a Chrome trace: expected an array of events or an object with a \
         `traceEvents` array"
    )]
    NotATrace,
}

/// A row of the timeline: a thread of the traced process (a worker of the runtime).
#[derive(Clone, Debug)]
pub struct Lane {
    /// The name the trace gives the thread (`worker 0`), or its process and thread ids.
    pub name: String,
    /// How many slices deep it nests (1 for a runtime's polls, which never nest).
    pub depth: usize,
    pid: String,
    tid: String,
    sort_index: i64,
}

/// A span of time on one lane: one poll of a task.
#[derive(Clone, Debug)]
pub struct Slice {
    /// Index into [`Trace::lanes`].
    pub lane: usize,
    /// Nesting level within the lane, 0 for the outermost.
    pub depth: usize,
    /// Start and end, in the trace's microseconds.
    pub start: f64,
    pub end: f64,
    /// The event's name (the task's name for a poll).
    pub name: String,
    /// What identifies the task, for its colour: `args.task` (or `task_id`, `id`), else the name.
    pub task: String,
    /// The event's arguments, shown when the pointer rests on the box.
    pub details: Vec<(String, String)>,
}

/// A moment on a lane (or on every lane when the trace says its scope is global).
#[derive(Clone, Debug)]
pub struct Mark {
    pub lane: Option<usize>,
    pub ts: f64,
    pub name: String,
    pub details: Vec<(String, String)>,
}

/// An arrow from a point inside one slice to the start of another: a wake.
#[derive(Clone, Copy, Debug)]
pub struct Flow {
    /// Index into [`Trace::slices`] of the slice the arrow leaves, and the time it leaves at.
    pub from: usize,
    pub from_ts: f64,
    /// Index of the slice it enters.
    pub to: usize,
}

/// Everything the timeline draws, read from one file.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub lanes: Vec<Lane>,
    pub slices: Vec<Slice>,
    pub marks: Vec<Mark>,
    pub flows: Vec<Flow>,
    /// `otherData` and `metadata` key/value pairs the file carries (a seed, a schedule, a clock).
    pub about: Vec<(String, String)>,
    /// Events this reader left out (phases it doesn't draw, flows it couldn't bind).
    pub skipped: usize,
}

impl Trace {
    /// Keeps the `max` earliest slices (and the instants and arrows up to the last of them) and
    /// returns how many slices it left out.
    pub fn keep_first(&mut self, max: usize) -> usize {
        if self.slices.len() <= max {
            return 0;
        }
        let mut starts: Vec<f64> = self.slices.iter().map(|s| s.start).collect();
        starts.sort_by(f64::total_cmp);
        let cutoff = starts[max];
        // Slices starting at the cutoff go too, so what is kept is a prefix in time.
        let kept: Vec<bool> = self.slices.iter().map(|s| s.start < cutoff).collect();
        let mut new_index = vec![usize::MAX; self.slices.len()];
        let mut next = 0;
        for (old, &keep) in kept.iter().enumerate() {
            if keep {
                new_index[old] = next;
                next += 1;
            }
        }
        let before = self.slices.len();
        let mut index = 0;
        self.slices.retain(|_| {
            index += 1;
            kept[index - 1]
        });
        self.marks.retain(|mark| mark.ts < cutoff);
        self.flows.retain(|flow| kept[flow.from] && kept[flow.to]);
        for flow in &mut self.flows {
            flow.from = new_index[flow.from];
            flow.to = new_index[flow.to];
        }
        before - self.slices.len()
    }
}

/// One end (or step) of a flow, before it is bound to a slice.
struct FlowPoint {
    lane: usize,
    ts: f64,
    /// Bind to the enclosing slice (`s`, `t`, `f` with `bp: "e"`, `flow_out`) rather than the
    /// next one to start (`f`, `flow_in`).
    enclosing: bool,
    order: usize,
}

/// Reading state: the lanes seen so far and what waits to be bound.
#[derive(Default)]
struct Reader {
    trace: Trace,
    lane_of: HashMap<(String, String), usize>,
    open: HashMap<usize, Vec<Slice>>,
    flows: BTreeMap<String, Vec<FlowPoint>>,
}

/// Reads a trace-event file's text.
pub fn parse(text: &str) -> Result<Trace, TraceError> {
    let value: Value = serde_json::from_str(text)?;
    let events = match &value {
        Value::Array(events) => events,
        Value::Object(object) => {
            let Some(Value::Array(events)) = object.get("traceEvents") else {
                return Err(TraceError::NotATrace);
            };
            events
        }
        _ => return Err(TraceError::NotATrace),
    };
    let mut reader = Reader::default();
    if let Value::Object(object) = &value {
        for key in ["otherData", "metadata"] {
            if let Some(Value::Object(pairs)) = object.get(key) {
                reader.trace.about.extend(details_of(pairs));
            }
        }
    }
    for (order, event) in events.iter().enumerate() {
        match event {
            Value::Object(event) => reader.event(event, order),
            _ => reader.trace.skipped += 1,
        }
    }
    Ok(reader.finish())
}

impl Reader {
    fn event(&mut self, event: &Map<String, Value>, order: usize) {
        let phase = event.get("ph").and_then(Value::as_str).unwrap_or("");
        // A process's name is about the whole trace, not a lane (it names the run: its seed).
        if phase == "M" && event.get("name").and_then(Value::as_str) == Some("process_name") {
            if let Some(name) = event.get("args").and_then(|args| args.get("name")) {
                self.trace
                    .about
                    .push(("process".to_owned(), text_of(Some(name))));
            }
            return;
        }
        let lane = self.lane(event);
        let ts = number(event.get("ts")).unwrap_or(0.0);
        match phase {
            "M" => self.metadata(event, lane),
            "X" => {
                let end = ts + number(event.get("dur")).unwrap_or(0.0).max(0.0);
                let slice = slice(event, lane, ts, end);
                self.bind_ids(event, lane, ts, order);
                self.trace.slices.push(slice);
            }
            "B" => {
                let slice = slice(event, lane, ts, ts);
                self.open.entry(lane).or_default().push(slice);
            }
            "E" => match self.open.get_mut(&lane).and_then(Vec::pop) {
                Some(mut slice) => {
                    slice.end = ts.max(slice.start);
                    self.trace.slices.push(slice);
                }
                None => self.trace.skipped += 1,
            },
            "i" | "I" => {
                let global = event.get("s").and_then(Value::as_str) == Some("g");
                self.trace.marks.push(Mark {
                    lane: (!global).then_some(lane),
                    ts,
                    name: text_of(event.get("name")),
                    details: args_of(event),
                });
            }
            "s" | "t" | "f" => {
                let key = flow_key(event, event.get("id").or_else(|| event.get("id2")));
                let enclosing =
                    phase != "f" || event.get("bp").and_then(Value::as_str) == Some("e");
                self.flows.entry(key).or_default().push(FlowPoint {
                    lane,
                    ts,
                    enclosing,
                    order,
                });
            }
            _ => self.trace.skipped += 1,
        }
    }

    /// Perfetto's way: a slice names a flow with `bind_id` and says which end it is.
    fn bind_ids(&mut self, event: &Map<String, Value>, lane: usize, ts: f64, order: usize) {
        let Some(id) = event.get("bind_id") else {
            return;
        };
        let key = format!("bind:{}", text_of(Some(id)));
        for (flag, enclosing) in [("flow_in", false), ("flow_out", true)] {
            if event.get(flag).and_then(Value::as_bool) == Some(true) {
                // A slice's incoming arrow ends at its start; the outgoing one leaves from it.
                let point_ts = ts;
                self.flows.entry(key.clone()).or_default().push(FlowPoint {
                    lane,
                    ts: point_ts,
                    enclosing,
                    // The incoming end sorts before the slice's own outgoing end.
                    order: order * 2 + usize::from(enclosing),
                });
            }
        }
    }

    fn metadata(&mut self, event: &Map<String, Value>, lane: usize) {
        let args = event.get("args").and_then(Value::as_object);
        let arg = |key: &str| args.and_then(|args| args.get(key));
        match event.get("name").and_then(Value::as_str) {
            Some("thread_name") => {
                if let Some(name) = arg("name").and_then(Value::as_str) {
                    self.trace.lanes[lane].name = name.to_owned();
                }
            }
            Some("thread_sort_index") => {
                if let Some(index) = arg("sort_index").and_then(Value::as_i64) {
                    self.trace.lanes[lane].sort_index = index;
                }
            }
            _ => {}
        }
    }

    /// The lane of an event's `(pid, tid)`, made on first sight.
    fn lane(&mut self, event: &Map<String, Value>) -> usize {
        let pid = text_of(event.get("pid"));
        let tid = text_of(event.get("tid"));
        let next = self.trace.lanes.len();
        let lanes = &mut self.trace.lanes;
        *self
            .lane_of
            .entry((pid.clone(), tid.clone()))
            .or_insert_with(|| {
                lanes.push(Lane {
                    name: format!("thread {tid}"),
                    depth: 1,
                    pid,
                    tid,
                    sort_index: 0,
                });
                next
            })
    }

    fn finish(mut self) -> Trace {
        // A slice begun and never ended runs to the end of the trace.
        let last = self.last_ts();
        for (_, open) in std::mem::take(&mut self.open) {
            for mut slice in open {
                slice.end = last.max(slice.start);
                self.trace.slices.push(slice);
            }
        }
        let mut trace = self.trace;
        let lane_order = sort_lanes(&mut trace);
        for slice in &mut trace.slices {
            slice.lane = lane_order[slice.lane];
        }
        for mark in &mut trace.marks {
            mark.lane = mark.lane.map(|lane| lane_order[lane]);
        }
        let mut points = std::mem::take(&mut self.flows);
        for points in points.values_mut() {
            for point in points.iter_mut() {
                point.lane = lane_order[point.lane];
            }
        }
        nest(&mut trace);
        bind_flows(&mut trace, points);
        trace
    }

    fn last_ts(&self) -> f64 {
        let ends = self.trace.slices.iter().map(|s| s.end);
        let marks = self.trace.marks.iter().map(|m| m.ts);
        ends.chain(marks).fold(0.0, f64::max)
    }
}

/// Orders lanes by process, the trace's sort index, then thread id (numerically when it is a
/// number), and returns where each old index went.
fn sort_lanes(trace: &mut Trace) -> Vec<usize> {
    let mut order: Vec<usize> = (0..trace.lanes.len()).collect();
    let key = |lane: &Lane| {
        (
            lane.pid.parse::<i64>().ok(),
            lane.pid.clone(),
            lane.sort_index,
            lane.tid.parse::<i64>().ok(),
            lane.tid.clone(),
        )
    };
    order.sort_by_key(|&i| key(&trace.lanes[i]));
    let mut new_index = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    trace.lanes = order.iter().map(|&i| trace.lanes[i].clone()).collect();
    new_index
}

/// Sorts slices by lane and start, and gives each its nesting depth within its lane.
fn nest(trace: &mut Trace) {
    trace.slices.sort_by(|a, b| {
        (a.lane, a.start, -a.end)
            .partial_cmp(&(b.lane, b.start, -b.end))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut stack: Vec<(usize, f64)> = Vec::new();
    for slice in &mut trace.slices {
        // Ancestors still open at this slice's start (same lane) stay on the stack.
        while let Some(&(lane, end)) = stack.last() {
            if lane == slice.lane && end > slice.start {
                break;
            }
            stack.pop();
        }
        slice.depth = stack.len();
        let lane = &mut trace.lanes[slice.lane];
        lane.depth = lane.depth.max(slice.depth + 1);
        stack.push((slice.lane, slice.end));
    }
}

/// Turns each flow's points, in file order, into arrows between the slices they bind to.
fn bind_flows(trace: &mut Trace, flows: BTreeMap<String, Vec<FlowPoint>>) {
    for (_, mut points) in flows {
        points.sort_by_key(|point| point.order);
        for pair in points.windows(2) {
            let from = enclosing(trace, pair[0].lane, pair[0].ts);
            let to = if pair[1].enclosing {
                enclosing(trace, pair[1].lane, pair[1].ts)
            } else {
                next_starting(trace, pair[1].lane, pair[1].ts)
                    .or_else(|| enclosing(trace, pair[1].lane, pair[1].ts))
            };
            match (from, to) {
                (Some(from), Some(to)) if from != to => trace.flows.push(Flow {
                    from,
                    from_ts: pair[0].ts,
                    to,
                }),
                _ => trace.skipped += 1,
            }
        }
    }
    trace.flows.sort_by_key(|flow| (flow.from, flow.to));
}

/// The deepest slice on `lane` that contains `ts`.
fn enclosing(trace: &Trace, lane: usize, ts: f64) -> Option<usize> {
    let first = trace.slices.partition_point(|s| s.lane < lane);
    trace.slices[first..]
        .iter()
        .take_while(|s| s.lane == lane && s.start <= ts)
        .enumerate()
        .filter(|(_, s)| s.end >= ts)
        .max_by_key(|(_, s)| s.depth)
        .map(|(i, _)| first + i)
}

/// The first slice on `lane` that starts at or after `ts`.
fn next_starting(trace: &Trace, lane: usize, ts: f64) -> Option<usize> {
    let at = trace
        .slices
        .partition_point(|s| s.lane < lane || (s.lane == lane && s.start < ts));
    trace.slices.get(at).filter(|s| s.lane == lane).map(|_| at)
}

fn slice(event: &Map<String, Value>, lane: usize, start: f64, end: f64) -> Slice {
    let args = event.get("args").and_then(Value::as_object);
    let task = args
        .and_then(|args| {
            ["task", "task_id", "id"]
                .iter()
                .find_map(|key| args.get(*key))
        })
        .map_or_else(|| text_of(event.get("name")), |id| text_of(Some(id)));
    Slice {
        lane,
        depth: 0,
        start,
        end,
        name: text_of(event.get("name")),
        task,
        details: args_of(event),
    }
}

fn flow_key(event: &Map<String, Value>, id: Option<&Value>) -> String {
    let id = match id {
        Some(Value::Object(id2)) => id2.values().map(|v| text_of(Some(v))).collect(),
        other => text_of(other),
    };
    format!("{}:{id}", text_of(event.get("cat")))
}

fn args_of(event: &Map<String, Value>) -> Vec<(String, String)> {
    event
        .get("args")
        .and_then(Value::as_object)
        .map(details_of)
        .unwrap_or_default()
}

fn details_of(pairs: &Map<String, Value>) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(key, value)| (key.clone(), text_of(Some(value))))
        .collect()
}

/// A value as text: strings without quotes, anything else as JSON.
fn text_of(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// A timestamp or duration: a number, or a number written as a string.
fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn flows_bind_to_the_waking_poll_and_the_next_poll_of_the_woken_task() {
        let trace = parse(
            r#"[{"ph":"M","name":"thread_name","pid":1,"tid":2,"args":{"name":"worker 1"}},
                {"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10,"args":{"task":1}},
                {"ph":"s","cat":"wake","id":7,"pid":1,"tid":1,"ts":4},
                {"ph":"f","cat":"wake","id":7,"pid":1,"tid":2,"ts":12},
                {"ph":"B","name":"b","pid":1,"tid":2,"ts":15,"args":{"task":2}},
                {"ph":"E","pid":1,"tid":2,"ts":18},
                {"ph":"i","name":"spawn","pid":1,"tid":1,"ts":3}]"#,
        )
        .unwrap();
        let names: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["thread 1", "worker 1"]);
        assert_eq!(trace.slices.len(), 2);
        assert_eq!(trace.flows.len(), 1);
        let flow = trace.flows[0];
        assert_eq!(trace.slices[flow.from].name, "a");
        assert_eq!(trace.slices[flow.to].name, "b");
        assert_eq!(trace.slices[flow.to].task, "2");
        assert_eq!(trace.marks.len(), 1);
    }

    #[test]
    fn keeping_the_first_polls_keeps_a_prefix_in_time_and_its_arrows() {
        let mut events = Vec::new();
        for i in 0..10 {
            events.push(format!(
                r#"{{"ph":"X","name":"t{i}","pid":1,"tid":{},"ts":{},"dur":1}}"#,
                i % 2,
                i * 2
            ));
            events.push(format!(
                r#"{{"ph":"s","id":{i},"pid":1,"tid":{},"ts":{}}}"#,
                i % 2,
                i * 2
            ));
            events.push(format!(
                r#"{{"ph":"f","bp":"e","id":{i},"pid":1,"tid":{},"ts":{}}}"#,
                (i + 1) % 2,
                i * 2 + 2
            ));
        }
        let mut trace = parse(&format!("[{}]", events.join(","))).unwrap();
        assert_eq!(trace.flows.len(), 9);
        assert_eq!(trace.keep_first(4), 6);
        let mut names: Vec<&str> = trace.slices.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["t0", "t1", "t2", "t3"]);
        assert_eq!(trace.flows.len(), 3);
        assert!(trace.flows.iter().all(|f| f.from < 4 && f.to < 4));
    }
}
