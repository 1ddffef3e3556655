import TockAuth

/// `/ui/flows`: the caller's flows (every tenant's for an administrator) as `GET /v1/flows` gives them — limits,
/// runs due, held back by the leaders and in flight — the most held back first; refreshed every 2 s.
enum UIFlowsPage {
    /// The rows a page shows at most; the rest are counted.
    static let rowsShown = 200

    static func render(_ flows: Result<FlowList, JobFailure>, caller: Caller, message: UILayout.Message) -> String {
        UILayout.page(title: "Flows", section: .flows, caller: caller, message: message, refreshEveryMs: 2000) { html in
            let list: [FlowView]
            switch flows {
            case .failure(let failure):
                html.element("p", ["class": "error"], text: "Flows unavailable: \(failure.error.error.message)")
                return
            case .success(let answer): list = answer.flows
            }
            guard !list.isEmpty else {
                html.element("p", ["class": "muted"], text: "No flow has limits, or runs held back or in flight.")
                return
            }
            let busiest = list.sorted(by: FlowView.busiestFirst)
            UILayout.table(
                &html,
                headers: ["key", "tenant", "shard", "rate", "concurrency", "due", "held back", "in flight"],
                rows: Array(busiest.prefix(rowsShown)), id: "flows"
            ) { html, flow in
                html.element("td", text: flow.key)
                html.element("td", text: flow.tenant.isEmpty ? "-" : flow.tenant)
                html.element("td", text: "\(flow.shard)")
                html.element("td", text: flow.rate ?? "-")
                html.element("td", text: flow.concurrency.map { "\($0)" } ?? "-")
                html.element("td", text: "\(flow.due)")
                html.element("td", text: "\(flow.held_back)")
                html.element("td", text: "\(flow.in_flight)")
            }
            if busiest.count > rowsShown {
                html.element("p", ["class": "muted"], text: "and \(busiest.count - rowsShown) more")
            }
        }
    }
}
