#pragma once

#include <cstddef>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace logsum {

struct Options {
    std::vector<std::string> levels;   // levels to report, in order
    std::size_t top = 5;               // how many components to list
    std::string min_level;             // only count components at or above this level
};

class Summary {
public:
    explicit Summary(Options opts);

    // Feeds one line such as "2024-03-01T10:00:02Z WARN db: slow query".
    void add_line(const std::string& line);
    void add_stream(std::istream& in);

    void print(std::ostream& out) const;

    std::size_t lines() const { return lines_; }
    std::size_t skipped() const { return skipped_; }

private:
    int rank(const std::string& level) const;

    Options opts_;
    std::size_t lines_ = 0;
    std::size_t skipped_ = 0;
    std::map<std::string, std::size_t> by_level_;
    std::map<std::string, std::size_t> by_component_;
    std::string first_ts_, last_ts_;
};

}  // namespace logsum
