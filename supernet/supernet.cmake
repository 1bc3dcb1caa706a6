# supernet/supernet.cmake — what the supernet (supernet/*.c, already in the
# library's source glob) needs: OpenBLAS, as the interface target
# hwnas_openblas that the library targets link.  Included from the top-level
# CMakeLists.txt.
add_library(hwnas_openblas INTERFACE)
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(HWNAS_OPENBLAS QUIET IMPORTED_TARGET openblas)
endif()
if(HWNAS_OPENBLAS_FOUND)
  target_link_libraries(hwnas_openblas INTERFACE PkgConfig::HWNAS_OPENBLAS)
else()
  find_path(HWNAS_CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas openblas-pthread REQUIRED)
  find_library(HWNAS_OPENBLAS_LIBRARY openblas REQUIRED)
  target_include_directories(hwnas_openblas INTERFACE ${HWNAS_CBLAS_INCLUDE_DIR})
  target_link_libraries(hwnas_openblas INTERFACE ${HWNAS_OPENBLAS_LIBRARY})
endif()
