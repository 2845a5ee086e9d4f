// A cpprestsdk write-only stream buffer that keeps at most `limit` bytes. Given to
// a request as its response stream, it refuses the write that would cross the
// limit; cpprestsdk then stops reading the answer and fails it, so an endless
// or huge body is never held in memory (cpprestsdk's default buffer takes in
// all it receives, however much that is). Internal to the cpprestsdk transport.
#pragma once

#include <cpprest/astreambuf.h>

#include <stdexcept>
#include <string>

namespace converge::cloud::http {

class BoundedBuffer : public concurrency::streams::details::streambuf_state_manager<uint8_t> {
 public:
  explicit BoundedBuffer(size_t limit)
      : streambuf_state_manager<uint8_t>(std::ios_base::out), limit_(limit) {}

  // True once a write would have crossed the limit.
  bool exceeded() const { return exceeded_; }
  size_t received() const { return data_.size(); }
  std::string Take() { return std::move(data_); }

 protected:
  bool can_seek() const override { return false; }
  bool has_size() const override { return false; }
  size_t buffer_size(std::ios_base::openmode) const override { return 0; }
  void set_buffer_size(size_t, std::ios_base::openmode) override {}
  size_t in_avail() const override { return 0; }
  pos_type getpos(std::ios_base::openmode) const override { return traits::eof(); }
  pos_type seekpos(pos_type, std::ios_base::openmode) override { return traits::eof(); }
  pos_type seekoff(off_type, std::ios_base::seekdir, std::ios_base::openmode) override {
    return traits::eof();
  }
  bool acquire(uint8_t*& ptr, size_t& count) override {
    ptr = nullptr;
    count = 0;
    return false;
  }
  void release(uint8_t*, size_t) override {}
  pplx::task<int_type> _putc(uint8_t ch) override {
    if (!Fits(1)) return pplx::task_from_exception<int_type>(Refusal());
    data_.push_back(static_cast<char>(ch));
    return pplx::task_from_result<int_type>(ch);
  }
  pplx::task<size_t> _putn(const uint8_t* ptr, size_t count) override {
    if (!Fits(count)) return pplx::task_from_exception<size_t>(Refusal());
    data_.append(reinterpret_cast<const char*>(ptr), count);
    return pplx::task_from_result(count);
  }
  pplx::task<int_type> _bumpc() override { return pplx::task_from_result(traits::eof()); }
  int_type _sbumpc() override { return traits::eof(); }
  pplx::task<int_type> _getc() override { return pplx::task_from_result(traits::eof()); }
  int_type _sgetc() override { return traits::eof(); }
  pplx::task<int_type> _nextc() override { return pplx::task_from_result(traits::eof()); }
  pplx::task<int_type> _ungetc() override { return pplx::task_from_result(traits::eof()); }
  pplx::task<size_t> _getn(uint8_t*, size_t) override { return pplx::task_from_result<size_t>(0); }
  size_t _scopy(uint8_t*, size_t) override { return 0; }
  pplx::task<bool> _sync() override { return pplx::task_from_result(true); }
  uint8_t* _alloc(size_t) override { return nullptr; }
  void _commit(size_t) override {}

 private:
  bool Fits(size_t count) {
    if (data_.size() + count <= limit_) return true;
    exceeded_ = true;
    return false;
  }
  static std::runtime_error Refusal() { return std::runtime_error("answer body over the limit"); }

  size_t limit_;
  std::string data_;
  bool exceeded_ = false;
};

}  // namespace converge::cloud::http
