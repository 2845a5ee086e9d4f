# The libFuzzer build (CONVERGE_FUZZ=ON, `make fuzz`, its own build directory):
# clang >= 16 with every library instrumented for libFuzzer's coverage and
# checked by AddressSanitizer (LeakSanitizer included) and UndefinedBehaviorSanitizer,
# undefined behaviour fatal. The fuzz targets link -fsanitize=fuzzer
# (tests/fuzz/CMakeLists.txt). The normal g++ build never includes this file.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
  message(FATAL_ERROR
    "CONVERGE_FUZZ needs clang 16 or newer (libFuzzer, and std::expected with libstdc++ 12), "
    "not ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}: configure with "
    "-DCMAKE_CXX_COMPILER=clang++-16, or run `make fuzz`, which installs it")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
# libstdc++ 12 enables <expected> only when __cpp_concepts >= 202002L, which clang
# (before 19) reports as 201907L although it implements what <expected> needs
# (conditionally trivial destructors, clang 16). And C++23 makes unique_ptr's
# destructor constexpr, which clang instantiates where a header holds a
# unique_ptr to a type it only declares; this build does not need a constexpr
# unique_ptr.
add_compile_options(-D__cpp_concepts=202002L -D_GLIBCXX23_CONSTEXPR=
  -Wno-builtin-macro-redefined -Wno-macro-redefined)
