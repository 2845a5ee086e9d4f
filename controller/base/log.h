// Structured, leveled logging. Every line passes through Redact() before it
// reaches a sink, so a secret that slips into a message is still masked.
#pragma once

#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

namespace converge::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

std::string_view LevelName(Level level);
// Parses debug|info|warn|error; false when unknown.
bool ParseLevel(std::string_view text, Level* level);

// Receives finished, redacted lines. Must be thread-safe.
using Sink = std::function<void(Level, std::string_view line)>;

// Process-wide configuration. Default: info to stderr.
void SetLevel(Level level);
Level GetLevel();
// Replaces the sink; returns the previous one. Pass nullptr to restore stderr.
Sink SetSink(Sink sink);
bool Enabled(Level level);

// Emits `message` with key=value fields. Values with spaces are quoted.
void Write(Level level, std::string_view message,
           std::initializer_list<std::pair<std::string_view, std::string>> fields = {});

inline void Debug(std::string_view m,
                  std::initializer_list<std::pair<std::string_view, std::string>> f = {}) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, m, f);
}
inline void Info(std::string_view m,
                 std::initializer_list<std::pair<std::string_view, std::string>> f = {}) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, m, f);
}
inline void Warn(std::string_view m,
                 std::initializer_list<std::pair<std::string_view, std::string>> f = {}) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, m, f);
}
inline void Error(std::string_view m,
                  std::initializer_list<std::pair<std::string_view, std::string>> f = {}) {
  Write(Level::kError, m, f);
}

// Test helper: captures every line while alive, at the given level.
class CaptureForTesting {
 public:
  explicit CaptureForTesting(Level level = Level::kDebug);
  ~CaptureForTesting();
  std::string Text() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  Sink previous_;
  Level previous_level_;
};

}  // namespace converge::log
