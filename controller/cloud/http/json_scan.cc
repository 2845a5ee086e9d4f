#include "cloud/http/json_scan.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace converge::cloud::http {
namespace {

using Sax = nlohmann::json_sax<nlohmann::json>;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Whether any of the eight bytes in `v` ends a plain run of a string: a quote,
// a backslash, a control character or a byte of a multi-byte sequence. Exact
// (no false negatives) for each test, as in "Bit Twiddling Hacks".
bool AnySpecial(uint64_t v) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto zero_byte = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  const uint64_t below_space = (v - kOnes * 0x20) & ~v & kHigh;
  return (zero_byte(v ^ (kOnes * '"')) | zero_byte(v ^ (kOnes * '\\')) | below_space |
          (v & kHigh)) != 0;
}

class Scanner {
 public:
  Scanner(std::string_view text, Sax* sax)
      : p_(text.data()), end_(text.data() + text.size()), sax_(sax) {}

  bool Run() {
    if (end_ - p_ >= 1 && static_cast<unsigned char>(*p_) == 0xEF) {  // a byte-order mark
      if (end_ - p_ < 3 || static_cast<unsigned char>(p_[1]) != 0xBB ||
          static_cast<unsigned char>(p_[2]) != 0xBF) {
        return false;
      }
      p_ += 3;
    }
    std::vector<bool> in_object;  // the open containers, innermost last
    SkipSpace();
    for (;;) {
      // A value starts here.
      if (p_ == end_) return false;
      switch (*p_) {
        case '{':
          ++p_;
          if (!sax_->start_object(static_cast<std::size_t>(-1))) return false;
          SkipSpace();
          if (p_ != end_ && *p_ == '}') {
            ++p_;
            if (!sax_->end_object()) return false;
            break;
          }
          in_object.push_back(true);
          if (!Key()) return false;
          continue;
        case '[':
          ++p_;
          if (!sax_->start_array(static_cast<std::size_t>(-1))) return false;
          SkipSpace();
          if (p_ != end_ && *p_ == ']') {
            ++p_;
            if (!sax_->end_array()) return false;
            break;
          }
          in_object.push_back(false);
          continue;
        case '"':
          if (!String() || !sax_->string(text_)) return false;
          break;
        case 't':
          if (!Literal("true") || !sax_->boolean(true)) return false;
          break;
        case 'f':
          if (!Literal("false") || !sax_->boolean(false)) return false;
          break;
        case 'n':
          if (!Literal("null") || !sax_->null()) return false;
          break;
        default:
          if (!Number()) return false;
          break;
      }
      // A value ended: close what it completes, up to the next value.
      for (;;) {
        SkipSpace();
        if (in_object.empty()) return p_ == end_;
        if (p_ == end_) return false;
        const char c = *p_++;
        if (c == ',') {
          SkipSpace();
          if (in_object.back() && !Key()) return false;
          break;
        }
        if (c != (in_object.back() ? '}' : ']')) return false;
        if (!(in_object.back() ? sax_->end_object() : sax_->end_array())) return false;
        in_object.pop_back();
      }
    }
  }

 private:
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // "key" : (then the value's first character).
  bool Key() {
    if (p_ == end_ || *p_ != '"' || !String() || !sax_->key(text_)) return false;
    SkipSpace();
    if (p_ == end_ || *p_ != ':') return false;
    ++p_;
    SkipSpace();
    return true;
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // The string at p_ (its opening quote) into text_, decoded.
  bool String() {
    ++p_;
    text_.clear();
    for (;;) {
      const char* run = p_;
      while (end_ - p_ >= 8) {  // eight plain bytes at a time
        uint64_t v;
        std::memcpy(&v, p_, 8);
        if (AnySpecial(v)) break;
        p_ += 8;
      }
      while (p_ != end_) {
        const auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p_;
      }
      text_.append(run, static_cast<size_t>(p_ - run));
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!Escape()) return false;
      } else if (!Utf8Sequence()) {
        return false;
      }
    }
  }

  // One well-formed UTF-8 sequence of 2 to 4 bytes (RFC 3629), appended.
  bool Utf8Sequence() {
    const auto lead = static_cast<unsigned char>(*p_);
    int more;
    unsigned char low = 0x80, high = 0xBF;  // the second byte's range
    if (lead >= 0xC2 && lead <= 0xDF) {
      more = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      more = 2;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      more = 3;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (end_ - p_ <= more) return false;
    for (int i = 1; i <= more; ++i) {
      const auto b = static_cast<unsigned char>(p_[i]);
      if (i == 1 ? (b < low || b > high) : (b < 0x80 || b > 0xBF)) return false;
    }
    text_.append(p_, static_cast<size_t>(more + 1));
    p_ += more + 1;
    return true;
  }

  bool Hex4(uint32_t* out) {
    if (end_ - p_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = HexValue(p_[i]);
      if (h < 0) return false;
      v = v << 4 | static_cast<uint32_t>(h);
    }
    p_ += 4;
    *out = v;
    return true;
  }

  // The escape at p_ (its backslash), decoded into text_.
  bool Escape() {
    ++p_;
    if (p_ == end_) return false;
    const char c = *p_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        text_.push_back(c);
        return true;
      case 'b':
        text_.push_back('\b');
        return true;
      case 'f':
        text_.push_back('\f');
        return true;
      case 'n':
        text_.push_back('\n');
        return true;
      case 'r':
        text_.push_back('\r');
        return true;
      case 't':
        text_.push_back('\t');
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    uint32_t cp = 0;
    if (!Hex4(&cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(&text_, cp);
    return true;
  }

  bool Number() {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ != end_ && IsDigit(*p_)) ++p_;
    } else {
      return false;
    }
    bool integral = true;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return false;
      while (p_ != end_ && IsDigit(*p_)) ++p_;
      integral = false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return false;
      while (p_ != end_ && IsDigit(*p_)) ++p_;
      integral = false;
    }
    if (integral) {
      if (negative) {
        int64_t v = 0;
        if (auto [end, ec] = std::from_chars(start, p_, v); ec == std::errc() && end == p_) {
          return sax_->number_integer(v);
        }
      } else {
        uint64_t v = 0;
        if (auto [end, ec] = std::from_chars(start, p_, v); ec == std::errc() && end == p_) {
          return sax_->number_unsigned(v);
        }
      }
    }
    // As nlohmann: strtod of the token (an integer too large for 64 bits too); a
    // value out of double's range is an error.
    number_.assign(start, p_);
    const double d = std::strtod(number_.c_str(), nullptr);
    if (!std::isfinite(d)) return false;
    return sax_->number_float(d, number_);
  }

  const char* p_;
  const char* end_;
  Sax* sax_;
  std::string text_;    // the string being read (kept: its capacity serves the next)
  std::string number_;  // a float's text
};

}  // namespace

bool ScanJson(std::string_view text, nlohmann::json_sax<nlohmann::json>* sax) {
  return Scanner(text, sax).Run();
}

}  // namespace converge::cloud::http
