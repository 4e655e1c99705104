# Warnings are set per target so that third-party headers (included as SYSTEM) stay quiet.
function(airreg_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
    # GCC 12 at -O2 reports std::string concatenations as out of bounds (GCC bug 105329, a
    # false positive inside libstdc++); AddressSanitizer checks bounds for real in test.sh.
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-array-bounds>)
endfunction()
