// quotad: serves a quote of the day (here: prints it), configured by JSON, logging with spdlog.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <string>

#include "paths.hpp"

using json = nlohmann::json;

static json read_json(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    return json::parse(in);
}

int main(int argc, char **argv)
{
    CLI::App app{"quotad - quote of the day"};
    std::string config = std::string(QUOTAD_SYSCONFDIR) + "/quotad.json";
    int day = 1;
    bool as_json = false;
    app.add_option("-c,--config", config, "configuration file");
    app.add_option("-d,--day", day, "day of the year")->check(CLI::Range(1, 366));
    app.add_flag("--json", as_json, "print JSON");
    app.set_version_flag("--version", std::string("quotad ") + QUOTAD_VERSION);
    CLI11_PARSE(app, argc, argv);

    try {
        json cfg = read_json(config);
        spdlog::set_pattern("[%l] %v");
        spdlog::set_level(spdlog::level::from_str(cfg.value("log_level", "info")));
        std::string db = cfg.value("quotes", std::string(QUOTAD_DATADIR) + "/quotes.json");
        spdlog::debug("config {} quotes {}", config, db);
        json quotes = read_json(db);
        const json &q = quotes.at(static_cast<size_t>(day - 1) % quotes.size());
        spdlog::info("quotad {} (spdlog {}.{}.{}) loaded {} quotes", QUOTAD_VERSION, SPDLOG_VER_MAJOR,
                     SPDLOG_VER_MINOR, SPDLOG_VER_PATCH, quotes.size());
        if (as_json) {
            std::cout << json{{"day", day}, {"text", q.at("text")}, {"by", q.at("by")}}.dump() << "\n";
        } else {
            std::cout << cfg.value("prefix", "") << q.at("text").get<std::string>() << " -- "
                      << q.at("by").get<std::string>() << "\n";
        }
    } catch (const std::exception &e) {
        spdlog::error("{}", e.what());
        return 1;
    }
    return 0;
}
