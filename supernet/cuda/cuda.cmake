# supernet/cuda/cuda.cmake — the CUDA module libhwnas_cuda.so (the supernet's
# forward on a GPU, supernet/cuda/sn_cuda.h), built when HWNAS_CUDA is ON
# (the default) and CMake finds nvcc and cuBLAS; otherwise libhwnas reports
# "hwnas was built without CUDA" at run time.  Nothing else links CUDA: the
# module is dlopen'ed on first use (supernet/cuda/loader.c, part of libhwnas),
# so every program runs, and CI builds and links the module, on machines
# without a GPU or driver.
#
# Sets HWNAS_CUDA_BUILT (ON/OFF); adds HWNAS_CUDA_MODULE_PATH (the module's
# path in this build directory) to the library's objects when built.
set(HWNAS_CUDA_BUILT OFF)
if(HWNAS_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # No GPU at configure time: name the architectures (unless given by
    # -DCMAKE_CUDA_ARCHITECTURES or $CUDAARCHS).  nvcc 13 supports Turing (75)
    # onward; 90 also embeds PTX, which newer GPUs JIT-compile.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES AND "$ENV{CUDAARCHS}" STREQUAL "")
      set(CMAKE_CUDA_ARCHITECTURES 75-real 80-real 90)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit)
    if(TARGET CUDA::cublas)
      set(HWNAS_CUDA_BUILT ON)
    else()
      message(STATUS "hwnas: nvcc found but not cuBLAS: building without CUDA")
    endif()
  else()
    message(STATUS "hwnas: nvcc not found: building without CUDA")
  endif()
endif()

if(HWNAS_CUDA_BUILT)
  add_library(hwnas_cuda MODULE ${CMAKE_SOURCE_DIR}/supernet/cuda/forward.cu)
  # The directory's C options (-Werror=..., -ffp-contract, sanitizers) are not
  # nvcc's: the module gets its own (host code warnings as the C code's).
  set_property(TARGET hwnas_cuda PROPERTY COMPILE_OPTIONS "")
  set_property(TARGET hwnas_cuda PROPERTY LINK_OPTIONS "")
  target_compile_options(hwnas_cuda PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>)
  target_include_directories(hwnas_cuda PRIVATE ${CMAKE_SOURCE_DIR})
  target_link_libraries(hwnas_cuda PRIVATE CUDA::cublas)
  # cudart is linked statically (CMake's default); cuBLAS is found through
  # the toolkit's lib64 where it was built and installed.
  set_target_properties(hwnas_cuda PROPERTIES
    CUDA_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}
    BUILD_RPATH "${CUDAToolkit_LIBRARY_DIR}"
    INSTALL_RPATH "${CUDAToolkit_LIBRARY_DIR}")
  target_compile_definitions(hwnas_objects PRIVATE
    HWNAS_CUDA_MODULE_PATH="${CMAKE_BINARY_DIR}/libhwnas_cuda.so")
  install(TARGETS hwnas_cuda LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
