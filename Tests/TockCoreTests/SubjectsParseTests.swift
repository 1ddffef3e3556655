import TockCore
import TockModel
import XCTest

final class SubjectsParseTests: XCTestCase {
    func testJobsSubjectsNameAPriorityAndAShardAsTockWritesThem() {
        for priority in Priority.allCases {
            for shard: UInt32 in [0, 7, UInt32.max] {
                let parsed = Subjects.parseJobs(Subjects.jobs(priority: priority, shard: shard))
                XCTAssertEqual(parsed?.priority, priority)
                XCTAssertEqual(parsed?.shard, shard)
            }
        }
        let refused = [
            "tock.jobs.normal.99999999999", "tock.jobs.normal.4294967296", "tock.jobs.normal.-1", "tock.jobs.normal.+1",
            "tock.jobs.normal.01", "tock.jobs.normal.", "tock.jobs.normal.abc", "tock.jobs.normal.0.extra",
            "tock.jobs.urgent.0", "tock.jobs.NORMAL.0", "tock.jobs.normal", "tock.done.0", "", "tock..normal.0",
            "tock.jobs.normal. 0",
        ]
        for subject in refused {
            XCTAssertNil(Subjects.parseJobs(subject), subject)
        }
    }

    func testDoneSubjectsNameAShard() {
        XCTAssertEqual(Subjects.parseDone("tock.done.0"), 0)
        XCTAssertEqual(Subjects.parseDone(Subjects.done(shard: 4_294_967_295)), 4_294_967_295)
        for subject in [
            "tock.done.abc", "tock.done.", "tock.done", "tock.done.1.2", "tock.done.007", "tock.jobs.normal.0",
            "tock.done.99999999999",
        ] {
            XCTAssertNil(Subjects.parseDone(subject), subject)
        }
    }

    func testStreamsTakeOneSubjectPerShard() {
        XCTAssertEqual(Subjects.doneSubjects(shardCount: 2), ["tock.done.0", "tock.done.1"])
        XCTAssertEqual(
            Subjects.jobsSubjects(priority: .high, shardCount: 3),
            ["tock.jobs.high.0", "tock.jobs.high.1", "tock.jobs.high.2"])
    }
}
