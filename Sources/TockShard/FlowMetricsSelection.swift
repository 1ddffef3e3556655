import TockModel

/// Which flows get a series of their own in `/metrics`: the `keys` flows with the most runs held back (then in
/// flight) at one sample; every other flow is summed under the label `FlowMetricsSelection.otherLabel`. However
/// many flow keys the clients make up, a shard exports at most `keys + 1` series per flow metric.
struct FlowMetricsSelection: Equatable {
    /// What the leader sees of one flow at a sample.
    struct Figures: Equatable {
        var flow: FlowID
        var heldBack: Int
        var inFlight: Int
    }

    /// The label of the flows beyond the top `keys`. Parentheses are not allowed in a flow key
    /// (`FlowRules.problem(withKey:)`), so no flow's own label can be this.
    static let otherLabel = "(other)"

    struct Sum: Equatable {
        var heldBack = 0
        var inFlight = 0

        init(_ figures: some Sequence<Figures>) {
            for entry in figures {
                heldBack += entry.heldBack
                inFlight += entry.inFlight
            }
        }
    }

    /// The top flows, most held back first.
    var labelled: [Figures]
    /// The rest, summed.
    var other: Sum
    var total: Sum
    /// Flows with runs held back or in flight.
    var active: Int

    /// Ties are broken by flow key, so the same figures always label the same flows.
    init(_ figures: [Figures], keys: Int) {
        let active = figures.filter { $0.heldBack > 0 || $0.inFlight > 0 }.sorted {
            ($1.heldBack, $1.inFlight, $0.flow) < ($0.heldBack, $0.inFlight, $1.flow)
        }
        labelled = Array(active.prefix(max(0, keys)))
        other = Sum(active.dropFirst(labelled.count))
        total = Sum(active)
        self.active = active.count
    }

    /// The figures of a sample: held back from the gate; in flight from the gate where it counts them (flows with a
    /// concurrency limit, whose count includes runs released and not yet committed), else from the job tables.
    static func figures(gate: [FlowGateView], inFlight: [FlowID: Int]) -> [Figures] {
        var figures: [FlowID: Figures] = [:]
        for (flow, count) in inFlight { figures[flow] = Figures(flow: flow, heldBack: 0, inFlight: count) }
        for view in gate {
            var entry = figures[view.flow] ?? Figures(flow: view.flow, heldBack: 0, inFlight: 0)
            entry.heldBack += view.heldBack
            if let open = view.open { entry.inFlight = open }
            figures[view.flow] = entry
        }
        return Array(figures.values)
    }
}
