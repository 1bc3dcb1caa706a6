# supernet/supernet.cmake — what the supernet (supernet/*.c, already in the
# library's source glob) needs at build time: the dynamic loader, as the
# interface target hwnas_openblas that the library targets link.  OpenBLAS
# itself (Debian's libopenblas0) is loaded on first use (supernet/blas.h),
# not linked, so no program that never runs the supernet pays for it.
add_library(hwnas_openblas INTERFACE)
find_package(Threads REQUIRED)
target_link_libraries(hwnas_openblas INTERFACE ${CMAKE_DL_LIBS} Threads::Threads)
