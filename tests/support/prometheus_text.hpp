// A strict reader of Prometheus's text exposition format 0.0.4, for tests of /metrics (Debian
// has no Prometheus parser to call): every line is a HELP, a TYPE or a sample; names and label
// names are valid; label values are quoted with only \\, \" and \n escaped; a metric's TYPE
// comes before its samples and once; a histogram's buckets are cumulative, end with
// le="+Inf", and equal its _count. parse() throws std::runtime_error naming the line.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace airreg::test {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

class PrometheusText {
 public:
  static PrometheusText parse(const std::string& text) {
    PrometheusText out;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    static const std::regex kName("[a-zA-Z_:][a-zA-Z0-9_:]*");
    std::map<std::string, std::string> types;
    while (std::getline(in, line)) {
      ++n;
      auto fail = [&](const std::string& why) { throw std::runtime_error("line " + std::to_string(n) + ": " + why + ": " + line); };
      if (line.empty()) continue;
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
        std::istringstream words(line.substr(7));
        std::string name, rest;
        words >> name;
        if (!std::regex_match(name, kName)) fail("bad metric name");
        if (line[2] == 'T') {
          words >> rest;
          if (!std::set<std::string>{"counter", "gauge", "histogram", "summary", "untyped"}.count(rest)) fail("bad type");
          if (types.count(name)) fail("a second TYPE");
          for (const auto& s : out.samples)
            if (base_name(s.name) == name) fail("TYPE after samples");
          types[name] = rest;
        }
        continue;
      }
      if (line[0] == '#') continue;
      PromSample s;
      size_t i = 0;
      while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
      s.name = line.substr(0, i);
      if (!std::regex_match(s.name, kName)) fail("bad sample name");
      if (i < line.size() && line[i] == '{') {
        ++i;
        while (i < line.size() && line[i] != '}') {
          size_t eq = line.find('=', i);
          if (eq == std::string::npos) fail("label without =");
          std::string label = line.substr(i, eq - i);
          if (!std::regex_match(label, std::regex("[a-zA-Z_][a-zA-Z0-9_]*"))) fail("bad label name");
          if (eq + 1 >= line.size() || line[eq + 1] != '"') fail("unquoted label value");
          std::string value;
          size_t j = eq + 2;
          for (; j < line.size() && line[j] != '"'; ++j) {
            if (line[j] == '\\') {
              ++j;
              if (j >= line.size()) fail("escape at the end");
              if (line[j] == 'n') value += '\n';
              else if (line[j] == '\\' || line[j] == '"') value += line[j];
              else fail("bad escape");
            } else {
              value += line[j];
            }
          }
          if (j >= line.size()) fail("unterminated label value");
          s.labels[label] = value;
          i = j + 1;
          if (i < line.size() && line[i] == ',') ++i;
        }
        if (i >= line.size()) fail("unterminated labels");
        ++i;
      }
      if (i >= line.size() || line[i] != ' ') fail("no value");
      std::string number = line.substr(i + 1);
      char* end = nullptr;
      s.value = number == "+Inf" ? INFINITY : number == "-Inf" ? -INFINITY : std::strtod(number.c_str(), &end);
      if (number != "+Inf" && number != "-Inf" && (end == number.c_str() || *end != '\0')) fail("bad value");
      if (!types.count(base_name(s.name))) fail("sample without a TYPE");
      out.samples.push_back(std::move(s));
    }
    out.check_histograms(types);
    return out;
  }

  // The value of the sample with this name and these labels (all of them); throws if absent.
  double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& s : samples)
      if (s.name == name && s.labels == labels) return s.value;
    throw std::runtime_error("no sample " + name);
  }
  bool has(const std::string& name) const {
    for (const auto& s : samples)
      if (s.name == name) return true;
    return false;
  }

  std::vector<PromSample> samples;

 private:
  static std::string base_name(const std::string& name) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s(suffix);
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) return name.substr(0, name.size() - s.size());
    }
    return name;
  }

  void check_histograms(const std::map<std::string, std::string>& types) const {
    for (const auto& [name, type] : types) {
      if (type != "histogram") continue;
      std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;  // series -> (le, count)
      std::map<std::map<std::string, std::string>, double> counts;
      for (const auto& s : samples) {
        auto series = s.labels;
        if (s.name == name + "_bucket") {
          auto le = series.find("le");
          if (le == series.end()) throw std::runtime_error(name + ": a bucket without le");
          double bound = le->second == "+Inf" ? INFINITY : std::strtod(le->second.c_str(), nullptr);
          series.erase("le");
          buckets[series].emplace_back(bound, s.value);
        } else if (s.name == name + "_count") {
          counts[series] = s.value;
        }
      }
      for (const auto& [series, list] : buckets) {
        for (size_t i = 1; i < list.size(); ++i)
          if (list[i].first <= list[i - 1].first || list[i].second < list[i - 1].second)
            throw std::runtime_error(name + ": buckets not cumulative in increasing le");
        if (list.empty() || !std::isinf(list.back().first)) throw std::runtime_error(name + ": no le=\"+Inf\" bucket");
        if (!counts.count(series) || counts.at(series) != list.back().second)
          throw std::runtime_error(name + ": _count differs from the +Inf bucket");
      }
    }
  }
};

}  // namespace airreg::test
