// One benchmark figure as a JSON line, {"bench":NAME,...}, built with RapidJSON and printed at
// once: scripts/bench.sh's output is read by people and by scripts alike.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <string>

#include "json/member.hpp"

namespace airreg::bench {

class BenchLine {
 public:
  explicit BenchLine(const std::string& name) : writer_(buffer_) {
    writer_.StartObject();
    json::member(writer_, "bench", name);
  }
  template <class T>
  BenchLine& add(const std::string& key, const T& value) {
    json::member(writer_, key, value);
    return *this;
  }
  void print() {
    writer_.EndObject();
    std::printf("%s\n", buffer_.GetString());
    std::fflush(stdout);
  }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace airreg::bench
