// Compiled into every test that links converge::test_support (an INTERFACE
// source): under ThreadSanitizer the checked-in tsan.supp is loaded without
// anyone having to name it in TSAN_OPTIONS (which may still add options).
#if defined(__SANITIZE_THREAD__) && defined(CONVERGE_SOURCE_DIR)
extern "C" const char* __tsan_default_options() {
  return "suppressions=" CONVERGE_SOURCE_DIR "/tests/support/tsan.supp";
}
#endif
