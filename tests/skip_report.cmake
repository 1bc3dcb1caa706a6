# tests/skip_report.cmake — included by tests/CMakeLists.txt (and by
# tests/test_skip_report.sh's small project): ctest reads CTestCustom.cmake
# from the directory it runs in, and runs CTEST_CUSTOM_POST_TEST after the
# tests: tests/skip_report.sh then says why the skipped tests were skipped.
file(WRITE ${CMAKE_BINARY_DIR}/CTestCustom.cmake
     "set(CTEST_CUSTOM_POST_TEST \"bash \\\"${CMAKE_CURRENT_LIST_DIR}/skip_report.sh\\\" \\\"${CMAKE_BINARY_DIR}\\\"\")\n")
