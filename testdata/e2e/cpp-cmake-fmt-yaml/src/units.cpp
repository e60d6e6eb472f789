#include "units.hpp"

#include <stdexcept>
#include <yaml-cpp/yaml.h>

void Units::load(const std::string &datadir, const std::vector<std::string> &names)
{
    for (const auto &name : names) {
        YAML::Node doc = YAML::LoadFile(datadir + "/" + name + ".yaml");
        Table t;
        t.name = name;
        t.base = doc["base"].as<std::string>();
        for (const auto &kv : doc["units"])
            t.factor[kv.first.as<std::string>()] = kv.second.as<double>();
        tables_.push_back(std::move(t));
    }
}

std::optional<double> Units::convert(double value, const std::string &from, const std::string &to) const
{
    for (const auto &t : tables_) {
        auto f = t.factor.find(from), g = t.factor.find(to);
        if (f != t.factor.end() && g != t.factor.end())
            return value * f->second / g->second;
    }
    return std::nullopt;
}
