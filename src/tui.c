/* tui.c: placeholder until the TUI lands: a terminal gets the plain REPL. */
#include "tui.h"
#include "repl.h"

bool tui_available(void) { return false; }
int tui_run(void) { return repl_run_plain(); }
