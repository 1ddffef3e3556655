import TockModel
import XCTest

@testable import TockShard

/// Which flows `/metrics` labels: the top `keys` by held back, then in flight, ties by key; the rest summed.
final class FlowMetricsSelectionTests: XCTestCase {
    typealias Figures = FlowMetricsSelection.Figures

    func flow(_ key: String, tenant: String = "") -> FlowID { FlowID(tenant: tenant, key: key) }

    func testTheMostHeldBackAreLabelledAndTheRestSummed() {
        let figures = [
            Figures(flow: flow("a"), heldBack: 1, inFlight: 9), Figures(flow: flow("b"), heldBack: 5, inFlight: 0),
            Figures(flow: flow("c"), heldBack: 1, inFlight: 2), Figures(flow: flow("d"), heldBack: 1, inFlight: 2),
            Figures(flow: flow("idle"), heldBack: 0, inFlight: 0),
        ]
        let selection = FlowMetricsSelection(figures, keys: 3)
        XCTAssertEqual(selection.labelled.map(\.flow.key), ["b", "a", "c"], "held back, then in flight, then key")
        XCTAssertEqual(selection.other, .init([Figures(flow: flow("d"), heldBack: 1, inFlight: 2)]))
        XCTAssertEqual(selection.total.heldBack, 8)
        XCTAssertEqual(selection.total.inFlight, 13)
        XCTAssertEqual(selection.active, 4, "a flow with nothing held back or in flight is not counted")

        let none = FlowMetricsSelection(figures, keys: 0)
        XCTAssertEqual(none.labelled, [])
        XCTAssertEqual(none.other, none.total)
        XCTAssertEqual(FlowMetricsSelection(figures, keys: -1).labelled, [], "a negative count labels nothing")
    }

    func testHeldBackComesFromTheGateAndInFlightFromItsCountWhereItKeepsOne() {
        let gate = [
            FlowGateView(flow: flow("limited"), limits: FlowLimits(concurrency: 2), heldBack: 4, open: 2),
            FlowGateView(flow: flow("paced"), limits: FlowLimits(rate: FlowRate(count: 1, periodNs: 1)), heldBack: 7),
        ]
        let tables = [flow("limited"): 1, flow("paced"): 3, flow("gone"): 5]
        let figures = FlowMetricsSelection.figures(gate: gate, inFlight: tables).sorted { $0.flow < $1.flow }
        XCTAssertEqual(
            figures,
            [
                Figures(flow: flow("gone"), heldBack: 0, inFlight: 5),
                Figures(flow: flow("limited"), heldBack: 4, inFlight: 2),
                Figures(flow: flow("paced"), heldBack: 7, inFlight: 3),
            ])
    }
}
