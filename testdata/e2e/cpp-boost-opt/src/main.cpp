// logsum: summarises plain-text log files (timestamp, level, component: message).
#include "summary.hpp"

#include <boost/filesystem.hpp>
#include <boost/program_options.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace fs = boost::filesystem;
namespace po = boost::program_options;

namespace {

// Collects regular files, descending into directories (sorted, so output is stable).
void collect(const fs::path& p, const std::string& ext, std::vector<fs::path>& out) {
    if (fs::is_directory(p)) {
        std::vector<fs::path> entries;
        for (const auto& e : fs::recursive_directory_iterator(p))
            if (fs::is_regular_file(e.path()) && (ext.empty() || e.path().extension() == ext))
                entries.push_back(e.path());
        std::sort(entries.begin(), entries.end());
        out.insert(out.end(), entries.begin(), entries.end());
    } else if (fs::exists(p)) {
        out.push_back(p);
    } else {
        throw std::runtime_error("no such file or directory: " + p.string());
    }
}

// The data directory sits next to the binary (<prefix>/bin/../share/logsum), so the
// install can be moved with --prefix at install time.
std::string default_config() {
    boost::system::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        fs::path conf = exe.parent_path().parent_path() / "share" / "logsum" / "logsum.conf";
        if (fs::exists(conf)) return conf.string();
    }
    return std::string(LOGSUM_DATADIR) + "/logsum.conf";
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_file;
    std::string levels;
    logsum::Options opts;
    std::string ext;

    po::options_description generic("Options");
    generic.add_options()
        ("help,h", "show this help")
        ("version,V", "print the version")
        ("config,c", po::value<std::string>(&config_file)
             ->default_value(default_config()),
         "configuration file");

    po::options_description config("Summary");
    config.add_options()
        ("levels", po::value<std::string>(&levels)->default_value("DEBUG,INFO,WARN,ERROR"),
         "known levels, lowest first")
        ("top,n", po::value<std::size_t>(&opts.top)->default_value(5),
         "components to list")
        ("min-level,l", po::value<std::string>(&opts.min_level),
         "count components only at this level or above")
        ("extension", po::value<std::string>(&ext)->default_value(".log"),
         "file extension to read inside directories");

    po::options_description hidden;
    hidden.add_options()("input", po::value<std::vector<std::string>>(), "");
    po::positional_options_description pos;
    pos.add("input", -1);

    po::options_description cmdline;
    cmdline.add(generic).add(config).add(hidden);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(cmdline).positional(pos).run(), vm);
        po::notify(vm);
        if (vm.count("help")) {
            std::cout << "usage: logsum [options] [FILE|DIR]...\n\n" << generic << "\n" << config;
            return 0;
        }
        if (vm.count("version")) {
            std::cout << "logsum " << LOGSUM_VERSION << " (boost " << BOOST_VERSION / 100000 << "."
                      << BOOST_VERSION / 100 % 1000 << ")\n";
            return 0;
        }
        if (fs::exists(config_file)) {
            po::store(po::parse_config_file<char>(config_file.c_str(), config), vm);
            po::notify(vm);
        } else if (!vm["config"].defaulted()) {
            std::cerr << "logsum: cannot read " << config_file << "\n";
            return 2;
        }
    } catch (const po::error& e) {
        std::cerr << "logsum: " << e.what() << "\n";
        return 2;
    }

    std::string item;
    for (char ch : levels + ",") {
        if (ch == ',') {
            if (!item.empty()) opts.levels.push_back(item);
            item.clear();
        } else if (ch != ' ') {
            item += ch;
        }
    }

    logsum::Summary summary(opts);
    try {
        if (!vm.count("input")) {
            summary.add_stream(std::cin);
        } else {
            std::vector<fs::path> files;
            for (const auto& in : vm["input"].as<std::vector<std::string>>())
                collect(in, ext, files);
            for (const auto& f : files) {
                std::ifstream is(f.string());
                if (!is) throw std::runtime_error("cannot open " + f.string());
                std::cout << "reading " << f.filename().string() << " ("
                          << fs::file_size(f) << " bytes)\n";
                summary.add_stream(is);
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "logsum: " << e.what() << "\n";
        return 1;
    }

    summary.print(std::cout);
    return 0;
}
