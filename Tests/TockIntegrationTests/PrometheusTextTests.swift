import TockTestSupport
import XCTest

/// The exposition parser the metrics tests rely on accepts the format and rejects what Prometheus would.
final class PrometheusTextTests: XCTestCase {
    func testReadsFamiliesLabelsAndHistogramSeries() throws {
        let text = try PrometheusText(
            parsing: """
                # HELP jobs_total Jobs.
                # TYPE jobs_total counter
                jobs_total{priority="high",note="a \\"quoted\\" \\\\ value"} 3
                # TYPE lag_seconds histogram
                lag_seconds_bucket{le="0.5"} 1
                lag_seconds_bucket{le="+Inf"} 2
                lag_seconds_sum 0.75
                lag_seconds_count 2
                up 1.5e0

                """)
        XCTAssertEqual(text.value("jobs_total", ["priority": "high", "note": #"a "quoted" \ value"#]), 3)
        XCTAssertEqual(text.value("lag_seconds_bucket", ["le": "+Inf"]), 2)
        XCTAssertEqual(text.value("up"), 1.5)
        XCTAssertEqual(text.types, ["jobs_total": "counter", "lag_seconds": "histogram"])
        XCTAssertEqual(text.help["jobs_total"], "Jobs.")
        XCTAssertEqual(text.sum("lag_seconds_bucket"), 3)
    }

    func testRejectsWhatPrometheusWould() {
        for bad in [
            "2bad 1",
            "jobs_total{priority=high} 1",
            "jobs_total{priority=\"high\"",
            "jobs_total one",
            "jobs_total{a=\"1\",a=\"2\"} 1",
            "# TYPE jobs_total countr",
            "# TYPE x counter\n# TYPE x counter",
            "x_bucket{le=\"1\"} 1\n# TYPE x histogram",
            "# TYPE x histogram\nx_bucket 1",
        ] {
            XCTAssertThrowsError(try PrometheusText(parsing: bad), bad)
        }
    }
}
