import CertEval
import Testing

@Suite struct AxisTicksTests {
    @Test func roundStepsJustPastTheMaximum() {
        let small = AxisTicks(covering: 0.093)
        #expect(small.step == 0.02 && small.values.count == 6 && abs(small.upper - 0.1) < 1e-12)
        #expect(small.values.map(small.label) == ["0.00", "0.02", "0.04", "0.06", "0.08", "0.10"])
        let paper = AxisTicks(covering: 2.5)
        #expect(paper.step == 0.5 && paper.upper == 3 && paper.label(1.5) == "1.5")
        let quarter = AxisTicks(covering: 1.65)
        #expect(quarter.step == 0.25 && quarter.label(0.25) == "0.25" && quarter.upper == 1.75)
        // The shipped set's largest radius: half steps to 3.5, not whole ones to 4.
        let shipped = AxisTicks(covering: 3.10167)
        #expect(shipped.step == 0.5 && shipped.upper == 3.5)
        let whole = AxisTicks(covering: 9)
        #expect(whole.step == 2 && whole.label(4) == "4" && whole.upper == 10)
    }

    @Test func everyMaximumIsCoveredWithRoom() {
        for m in [0.001, 0.0123, 0.05, 0.093, 0.1, 0.33, 0.5, 1, 1.7, 2.5, 7, 42, 1234] {
            let t = AxisTicks(covering: m)
            #expect(t.upper >= m * 1.03 - 1e-12 && t.values.count >= 3 && t.values.count <= 8, "\(m): \(t.values)")
            #expect(Set(t.values.map(t.label)).count == t.values.count, "labels repeat for \(m)")
        }
        #expect(AxisTicks(covering: 0).upper == 1 && AxisTicks(covering: .nan).upper == 1)
    }
}
