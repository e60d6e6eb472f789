#include "summary.hpp"

#include <algorithm>
#include <istream>
#include <ostream>
#include <sstream>
#include <utility>

namespace logsum {

Summary::Summary(Options opts) : opts_(std::move(opts)) {}

int Summary::rank(const std::string& level) const {
    auto it = std::find(opts_.levels.begin(), opts_.levels.end(), level);
    if (it == opts_.levels.end()) return -1;
    return static_cast<int>(it - opts_.levels.begin());
}

void Summary::add_line(const std::string& line) {
    if (line.empty() || line[0] == '#') return;
    ++lines_;

    std::istringstream ss(line);
    std::string ts, level, component;
    if (!(ss >> ts >> level >> component) || component.back() != ':') {
        ++skipped_;
        return;
    }
    component.pop_back();

    if (first_ts_.empty() || ts < first_ts_) first_ts_ = ts;
    if (ts > last_ts_) last_ts_ = ts;

    ++by_level_[level];
    if (opts_.min_level.empty() || rank(level) >= rank(opts_.min_level))
        ++by_component_[component];
}

void Summary::add_stream(std::istream& in) {
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        add_line(line);
    }
}

void Summary::print(std::ostream& out) const {
    out << "lines: " << lines_ << " (" << skipped_ << " unparsed)\n";
    if (!first_ts_.empty()) out << "span: " << first_ts_ << " .. " << last_ts_ << "\n";

    out << "levels:";
    for (const auto& lvl : opts_.levels) {
        auto it = by_level_.find(lvl);
        out << " " << lvl << "=" << (it == by_level_.end() ? 0 : it->second);
    }
    for (const auto& [lvl, n] : by_level_)
        if (rank(lvl) < 0) out << " " << lvl << "=" << n;
    out << "\n";

    std::vector<std::pair<std::string, std::size_t>> comps(by_component_.begin(),
                                                           by_component_.end());
    std::stable_sort(comps.begin(), comps.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (comps.size() > opts_.top) comps.resize(opts_.top);

    out << "top components";
    if (!opts_.min_level.empty()) out << " (" << opts_.min_level << " and above)";
    out << ":\n";
    for (const auto& [name, n] : comps) out << "  " << n << "  " << name << "\n";
}

}  // namespace logsum
