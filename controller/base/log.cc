#include "base/log.h"

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>

#include "base/redact.h"
#include "base/rfc3339.h"

namespace converge::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::mutex g_mu;

void StderrSink(Level, std::string_view line) { std::cerr << line << '\n'; }

Sink& CurrentSink() {
  static Sink sink = StderrSink;
  return sink;
}

std::string Timestamp() {
  return FormatRfc3339(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
}

bool NeedsQuotes(std::string_view v) {
  return v.empty() || v.find_first_of(" \t\"=") != std::string_view::npos;
}

}  // namespace

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

bool ParseLevel(std::string_view text, Level* level) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (text == LevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

void SetLevel(Level level) { g_level = level; }
Level GetLevel() { return g_level; }
bool Enabled(Level level) { return level >= g_level.load(); }

Sink SetSink(Sink sink) {
  std::lock_guard lock(g_mu);
  Sink previous = CurrentSink();
  CurrentSink() = sink ? std::move(sink) : Sink(StderrSink);
  return previous;
}

void Write(Level level, std::string_view message,
           std::initializer_list<std::pair<std::string_view, std::string>> fields) {
  std::string line = Timestamp();
  line += ' ';
  line += LevelName(level);
  line += ' ';
  line += message;
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    if (NeedsQuotes(value)) {
      line += '"';
      for (char c : value) {
        if (c == '"' || c == '\\') line += '\\';
        line += c == '\n' ? ' ' : c;
      }
      line += '"';
    } else {
      line += value;
    }
  }
  const std::string redacted = Redact(line);
  std::lock_guard lock(g_mu);
  CurrentSink()(level, redacted);
}

struct CaptureForTesting::State {
  std::mutex mu;
  std::string text;
};

CaptureForTesting::CaptureForTesting(Level level)
    : state_(std::make_shared<State>()), previous_level_(GetLevel()) {
  auto state = state_;
  previous_ = SetSink([state](Level, std::string_view line) {
    std::lock_guard lock(state->mu);
    state->text.append(line);
    state->text.push_back('\n');
  });
  SetLevel(level);
}

CaptureForTesting::~CaptureForTesting() {
  SetSink(previous_);
  SetLevel(previous_level_);
}

std::string CaptureForTesting::Text() const {
  std::lock_guard lock(state_->mu);
  return state_->text;
}

}  // namespace converge::log
