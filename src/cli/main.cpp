// airreg: thin entry point; everything happens in cli::run.
#include "cli/commands.hpp"

int main(int argc, char** argv) { return airreg::cli::run(argc, argv); }
