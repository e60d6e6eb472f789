#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

struct Table {
    std::string name;
    std::string base;
    std::map<std::string, double> factor;
};

class Units {
public:
    void load(const std::string &datadir, const std::vector<std::string> &tables);
    std::optional<double> convert(double value, const std::string &from, const std::string &to) const;
    const std::vector<Table> &tables() const { return tables_; }

private:
    std::vector<Table> tables_;
};
