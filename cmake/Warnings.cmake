# Warnings are set per target so that third-party headers (included as SYSTEM) stay quiet.
function(airreg_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
endfunction()
