// ScanJson against nlohmann::json::sax_parse: the same events, or both refuse.
#include "cloud/http/json_scan.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace converge::cloud::http {
namespace {

using json = nlohmann::json;

// Every event as a line of text.
class Recording : public nlohmann::json_sax<json> {
 public:
  std::vector<std::string> events;
  bool null() override { return Add("null"); }
  bool boolean(bool v) override { return Add(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return Add("int " + std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Add("uint " + std::to_string(v)); }
  bool number_float(number_float_t v, const string_t& s) override {
    return Add("float " + json(v).dump() + " " + s);
  }
  bool string(string_t& v) override { return Add("string " + v); }
  bool binary(binary_t&) override { return Add("binary"); }
  bool start_object(std::size_t) override { return Add("{"); }
  bool end_object() override { return Add("}"); }
  bool start_array(std::size_t) override { return Add("["); }
  bool end_array() override { return Add("]"); }
  bool key(string_t& v) override { return Add("key " + v); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool Add(std::string e) {
    events.push_back(std::move(e));
    return true;
  }
};

void ExpectSameAsNlohmann(const std::string& text) {
  Recording theirs, ours;
  const bool their_ok = json::sax_parse(text, &theirs);
  const bool our_ok = ScanJson(text, &ours);
  ASSERT_EQ(our_ok, their_ok) << "input: " << text;
  if (their_ok) {
    EXPECT_EQ(ours.events, theirs.events) << "input: " << text;
  }
}

TEST(JsonScanTest, ReadsWhatNlohmannReadsWithTheSameEvents) {
  for (const std::string& text : std::vector<std::string>{
           R"({"code":"0","msg":"success","data":{"total":2,"records":[{"id":"a","n":1},{}]}})",
           R"(  [1, -1, 0, -0, 1.5, -2.5e3, 1E2, 1e-2, 18446744073709551615, 18446744073709551616,
               -9223372036854775808, -9223372036854775809, 123456789012345678901234567890] )",
           R"(["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4e2d\ud83d\ude00", "\u0000x", "plain"])",
           "[\"caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80\"]",
           "\xEF\xBB\xBF{\"bom\":true}",
           R"({"a":{"b":{"c":[[[]],{}]}},"t":true,"f":false,"n":null})",
           "\"just a string\"",
           "42",
           "{}",
           "[]",
           R"({"dup":1,"dup":2})",
       }) {
    ExpectSameAsNlohmann(text);
  }
}

// Strings are scanned eight bytes at a time: whatever ends a plain run (a quote,
// an escape, a control character, a multi-byte sequence, valid or not) is seen
// at every position of a word, and right after one.
TEST(JsonScanTest, EveryByteThatEndsAPlainRunIsSeenAtEveryOffset) {
  const std::vector<std::string> specials = {
      "\"", "\\n", "\\u00e9", std::string(1, '\x01'), "\x1F", "\x7F", "\xC3\xA9",
      "\xF0\x9F\x98\x80", "\xC3", "\xFF", "\xC0\xAF"};
  for (const std::string& special : specials) {
    for (size_t before = 0; before <= 17; ++before) {
      const std::string text = "[\"" + std::string(before, 'a') + special + "bcdefghijklmnop\"]";
      ExpectSameAsNlohmann(text);
    }
  }
}

TEST(JsonScanTest, RefusesWhatNlohmannRefuses) {
  for (const std::string& text : std::vector<std::string>{
           "",
           "   ",
           "{",
           "[1,]",
           "{\"a\":1,}",
           "{\"a\" 1}",
           "{a:1}",
           "[01]",
           "[1.]",
           "[.5]",
           "[1e]",
           "[-]",
           "[+1]",
           "tru",
           "nul",
           "[true false]",
           "{} {}",
           "[1] x",
           "\"open",
           "\"bad \\x escape\"",
           "\"\\u12\"",
           "\"\\ud800\"",
           "\"\\udc00\"",
           "\"\\ud800\\u0041\"",
           "\"raw \x01 control\"",
           "\"\xC0\xAF overlong\"",
           "\"\xED\xA0\x80 surrogate\"",
           "\"\xF4\x90\x80\x80 too high\"",
           "\"\x80 lone continuation\"",
           "\"\xE4\xB8 cut\"",
           "[1e400]",
           "\xEF\xBB{}",
           std::string("[1,\0 2]", 7),
           "NaN",
           "[Infinity]",
       }) {
    ExpectSameAsNlohmann(text);
  }
}

TEST(JsonScanTest, StopsWhenTheHandlerSaysStop) {
  class StopAtKey : public Recording {
    bool key(string_t&) override { return false; }
  } handler;
  EXPECT_FALSE(ScanJson(R"({"a":1})", &handler));
  EXPECT_EQ(handler.events, std::vector<std::string>{"{"});
}

TEST(JsonScanTest, DeepNestingNeedsNoRecursion) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  ExpectSameAsNlohmann(deep);
}

}  // namespace
}  // namespace converge::cloud::http
