#pragma once

// Shared by the window benchmarks (bench_gui_stall, bench_timeline).

#include <algorithm>
#include <vector>

namespace BenchSupport {

// Probes of the event loop come this often; a late one is a stall.
constexpr int ProbeIntervalMs = 5;

// The p-th percentile (0..100) of values; 0 for none.
inline double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(p / 100.0 * double(values.size())));
    return values[index];
}

} // namespace BenchSupport
