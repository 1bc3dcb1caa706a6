# supernet/supernet.cmake — what the supernet (supernet/*.c, already in
# hwnas_core's source glob) needs: CBLAS from OpenBLAS.  Included from the
# top-level CMakeLists.txt after hwnas_core is defined.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(HWNAS_OPENBLAS QUIET IMPORTED_TARGET openblas)
endif()
if(HWNAS_OPENBLAS_FOUND)
  target_link_libraries(hwnas_core PUBLIC PkgConfig::HWNAS_OPENBLAS)
else()
  find_path(HWNAS_CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas openblas-pthread REQUIRED)
  find_library(HWNAS_OPENBLAS_LIBRARY openblas REQUIRED)
  target_include_directories(hwnas_core PUBLIC ${HWNAS_CBLAS_INCLUDE_DIR})
  target_link_libraries(hwnas_core PUBLIC ${HWNAS_OPENBLAS_LIBRARY})
endif()
