// unitconv: convert between units listed in YAML tables.
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include "units.hpp"

int main(int argc, char **argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        YAML::Node cfg = YAML::LoadFile(UNITCONV_CONFIG);
        int precision = cfg["precision"].as<int>(2);
        Units units;
        units.load(UNITCONV_DATADIR, cfg["tables"].as<std::vector<std::string>>());

        if (args.empty() || args[0] == "--help") {
            fmt::print("usage: unitconv VALUE FROM TO | --list | --version\n");
            return args.empty() ? 2 : 0;
        }
        if (args[0] == "--version") {
            fmt::print("unitconv {} (fmt {}, config {})\n", UNITCONV_VERSION, FMT_VERSION, UNITCONV_CONFIG);
            return 0;
        }
        if (args[0] == "--list") {
            for (const auto &t : units.tables())
                fmt::print("{}: {} units, base {}\n", t.name, t.factor.size(), t.base);
            return 0;
        }
        if (args.size() != 3) {
            fmt::print(stderr, "unitconv: want VALUE FROM TO\n");
            return 2;
        }
        double v = std::stod(args[0]);
        auto r = units.convert(v, args[1], args[2]);
        if (!r) {
            fmt::print(stderr, "unitconv: cannot convert {} to {}\n", args[1], args[2]);
            return 1;
        }
        fmt::print("{} {} = {:.{}f} {}\n", args[0], args[1], *r, precision, args[2]);
    } catch (const std::exception &e) {
        fmt::print(stderr, "unitconv: {}\n", e.what());
        return 1;
    }
    return 0;
}
