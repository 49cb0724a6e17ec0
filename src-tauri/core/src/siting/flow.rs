//! Capacity-limited assignment: people go to the open points so that the
//! plan's value is the largest the rooms allow (a transportation problem).
//! An area's people may be split between points; a point takes no more than
//! its room. Solved exactly as a maximum-value flow from areas to points by
//! primal-dual rounds (Dijkstra on reduced costs, then flow along the
//! shortest paths), so a plan is judged by the best assignment it allows,
//! not by one rule of thumb for who goes where: the same thing the exact
//! model (`capacity_mip`) optimises.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Reduced costs within this of zero lie on a shortest path (values are
/// per person, at most half the Earth's circumference in km: rounding in
/// the potentials stays far below it).
const ZERO_COST: f64 = 1e-7;

/// A way people of `area` may reach `point`, worth `value` per person
/// (lanes worth nothing or less are never used).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lane {
    pub area: usize,
    pub point: usize,
    pub value: f64,
}

/// The best assignment: people sent along each lane (in `lanes`' order) and
/// their total value. `people` is each area's head count; `room` each
/// point's (may be infinite).
pub(crate) fn best_assignment(people: &[f64], room: &[f64], lanes: &[Lane]) -> (f64, Vec<f64>) {
    let mut net = Network::new(people, room, lanes);
    net.run();
    let sent: Vec<f64> = (0..lanes.len())
        // What a lane carries is what its reverse edge could give back.
        .map(|i| net.lane_edge[i].map_or(0.0, |e| net.edges[e ^ 1].left.max(0.0)))
        .collect();
    let value = lanes.iter().zip(&sent).map(|(l, s)| l.value * s).sum();
    (value, sent)
}

struct Edge {
    to: usize,
    /// Capacity left (the reverse edge's grows as this one's falls).
    left: f64,
    cost: f64,
}

/// Nodes: source 0, areas 1..=A, points A+1..=A+P, sink A+P+1. Edges are
/// stored in pairs, an edge at `2i` and its reverse at `2i + 1`.
struct Network {
    edges: Vec<Edge>,
    out: Vec<Vec<usize>>,
    /// Each lane's edge; none for a lane worth nothing.
    lane_edge: Vec<Option<usize>>,
    source: usize,
    sink: usize,
    /// Amounts below this are rounding, not people.
    tiny: f64,
    /// Few distinct lane values (coverage: one per area's weight), so many
    /// paths share the shortest length and one round can fill them all;
    /// otherwise (distance) nearly every path has its own length, and a
    /// round pushes along the one Dijkstra found.
    many_equal_paths: bool,
}

impl Network {
    fn new(people: &[f64], room: &[f64], lanes: &[Lane]) -> Self {
        let (n_areas, n_points) = (people.len(), room.len());
        let total: f64 = people.iter().map(|p| p.max(0.0)).sum();
        let sink = n_areas + n_points + 1;
        let mut net = Network {
            edges: Vec::with_capacity(2 * (lanes.len() + n_areas + n_points)),
            out: vec![Vec::new(); sink + 1],
            lane_edge: Vec::with_capacity(lanes.len()),
            source: 0,
            sink,
            tiny: 1e-9 * total.max(1.0),
            many_equal_paths: distinct_values(lanes) * 8 <= lanes.len(),
        };
        for (a, &p) in people.iter().enumerate() {
            net.add(0, 1 + a, p.max(0.0), 0.0);
        }
        for (p, &r) in room.iter().enumerate() {
            // An unlimited point needs no more room than there are people.
            net.add(1 + n_areas + p, sink, r.max(0.0).min(total), 0.0);
        }
        for lane in lanes {
            let edge = (lane.value > 0.0).then_some(net.edges.len());
            if edge.is_some() {
                net.add(1 + lane.area, 1 + n_areas + lane.point, total, -lane.value);
            }
            net.lane_edge.push(edge);
        }
        net
    }

    fn add(&mut self, from: usize, to: usize, capacity: f64, cost: f64) {
        self.out[from].push(self.edges.len());
        self.edges.push(Edge {
            to,
            left: capacity,
            cost,
        });
        self.out[to].push(self.edges.len());
        self.edges.push(Edge {
            to: from,
            left: 0.0,
            cost: -cost,
        });
    }

    /// Primal-dual: find the shortest path's length (Dijkstra on reduced
    /// costs), and while a path is worth anything, push flow along it — or,
    /// when lanes share few values, a blocking flow along every path of that
    /// length at once (Dinic on the edges whose reduced cost is zero):
    /// coverage then places thousands of people in a handful of rounds.
    fn run(&mut self) {
        let mut potential = self.initial_potentials();
        loop {
            let (dist, via) = self.dijkstra(&potential);
            let reach = dist[self.sink];
            // The shortest path's cost in the original terms (the source's
            // potential stays 0): stop once it gains nothing.
            if !reach.is_finite() || reach + potential[self.sink] >= -1e-12 {
                return;
            }
            // Nodes past the sink's distance keep reduced costs ≥ 0 when
            // capped at it (and unreached ones too).
            for (p, d) in potential.iter_mut().zip(&dist) {
                *p += d.min(reach);
            }
            let placed = if self.many_equal_paths {
                self.push_along_shortest_paths(&potential)
            } else {
                self.push_along(&via)
            };
            if placed <= self.tiny {
                return; // rounding left a path with no room: nothing more to place
            }
        }
    }

    /// Pushes as much as fits along the one shortest path Dijkstra found
    /// (`via`: the edge into each node). Returns the people placed.
    fn push_along(&mut self, via: &[usize]) -> f64 {
        let mut amount = f64::INFINITY;
        let mut v = self.sink;
        while v != self.source {
            let e = via[v];
            amount = amount.min(self.edges[e].left);
            v = self.edges[e ^ 1].to;
        }
        let mut v = self.sink;
        while v != self.source {
            let e = via[v];
            self.send(e, amount);
            v = self.edges[e ^ 1].to;
        }
        amount
    }

    /// Moves `amount` along edge `e` (its reverse can give it back).
    fn send(&mut self, e: usize, amount: f64) {
        self.edges[e].left -= amount;
        self.edges[e ^ 1].left += amount;
    }

    /// An edge on some shortest path: room left and zero reduced cost.
    fn admissible(&self, e: usize, from: usize, potential: &[f64]) -> bool {
        let edge = &self.edges[e];
        let reduced = edge.cost + potential[from] - potential[edge.to];
        edge.left > self.tiny && reduced.abs() <= ZERO_COST
    }

    /// Dinic's blocking flows over the admissible edges until the sink is
    /// out of their reach. Returns the people placed.
    fn push_along_shortest_paths(&mut self, potential: &[f64]) -> f64 {
        let n = self.sink + 1;
        let mut total = 0.0;
        loop {
            let mut level = vec![usize::MAX; n];
            level[self.source] = 0;
            let mut queue = std::collections::VecDeque::from([self.source]);
            while let Some(v) = queue.pop_front() {
                for &e in &self.out[v] {
                    let to = self.edges[e].to;
                    if level[to] == usize::MAX && self.admissible(e, v, potential) {
                        level[to] = level[v] + 1;
                        queue.push_back(to);
                    }
                }
            }
            if level[self.sink] == usize::MAX {
                return total;
            }
            let mut next_edge = vec![0; n];
            loop {
                let pushed = self.push_one(&level, &mut next_edge, potential);
                if pushed <= self.tiny {
                    break;
                }
                total += pushed;
            }
        }
    }

    /// One augmenting path from the source to the sink along rising levels,
    /// filled to its narrowest edge; each node's dead edges are skipped for
    /// good. A loop, not recursion: a path may be thousands of nodes long
    /// and the solve runs on a blocking thread's small stack.
    fn push_one(&mut self, level: &[usize], next_edge: &mut [usize], potential: &[f64]) -> f64 {
        let mut path: Vec<usize> = Vec::new();
        let mut v = self.source;
        while v != self.sink {
            let mut advanced = false;
            while next_edge[v] < self.out[v].len() {
                let e = self.out[v][next_edge[v]];
                let to = self.edges[e].to;
                if level[to] == level[v] + 1 && self.admissible(e, v, potential) {
                    path.push(e);
                    v = to;
                    advanced = true;
                    break;
                }
                next_edge[v] += 1;
            }
            if !advanced {
                // No way on from `v`: step back and skip the edge into it.
                let Some(e) = path.pop() else {
                    return 0.0;
                };
                v = self.edges[e ^ 1].to;
                next_edge[v] += 1;
            }
        }
        let amount = path
            .iter()
            .map(|&e| self.edges[e].left)
            .fold(f64::INFINITY, f64::min);
        for &e in &path {
            self.send(e, amount);
        }
        amount
    }

    /// Shortest distances before any flow: the network is layered (source,
    /// areas, points, sink), so one pass in that order is exact.
    fn initial_potentials(&self) -> Vec<f64> {
        let mut dist = vec![f64::INFINITY; self.sink + 1];
        dist[self.source] = 0.0;
        for v in 0..self.sink {
            if !dist[v].is_finite() {
                continue;
            }
            for &e in &self.out[v] {
                let edge = &self.edges[e];
                if edge.left > self.tiny && dist[v] + edge.cost < dist[edge.to] {
                    dist[edge.to] = dist[v] + edge.cost;
                }
            }
        }
        // A node unreached now stays unreached (nothing can flow out of it
        // to open a way in), so its potential never matters.
        dist.iter()
            .map(|&d| if d.is_finite() { d } else { 0.0 })
            .collect()
    }

    /// Distances from the source on reduced costs, and the edge into each
    /// node on its shortest path.
    fn dijkstra(&self, potential: &[f64]) -> (Vec<f64>, Vec<usize>) {
        let n = self.sink + 1;
        let mut dist = vec![f64::INFINITY; n];
        let mut via = vec![usize::MAX; n];
        let mut done = vec![false; n];
        let mut heap = BinaryHeap::new();
        dist[self.source] = 0.0;
        heap.push(Near(0.0, self.source));
        while let Some(Near(d, v)) = heap.pop() {
            if done[v] {
                continue;
            }
            done[v] = true;
            for &e in &self.out[v] {
                let edge = &self.edges[e];
                if edge.left <= self.tiny {
                    continue;
                }
                // Reduced costs are ≥ 0 up to rounding.
                let reduced = (edge.cost + potential[v] - potential[edge.to]).max(0.0);
                let next = d + reduced;
                if next < dist[edge.to] {
                    dist[edge.to] = next;
                    via[edge.to] = e;
                    heap.push(Near(next, edge.to));
                }
            }
        }
        (dist, via)
    }
}

fn distinct_values(lanes: &[Lane]) -> usize {
    let mut values: Vec<f64> = lanes.iter().map(|l| l.value).collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    values.len()
}

/// A heap entry: nearest first.
struct Near(f64, usize);
impl PartialEq for Near {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Near {}
impl PartialOrd for Near {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Near {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

#[cfg(test)]
mod tests;
