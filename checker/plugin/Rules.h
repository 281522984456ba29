#ifndef SAFEC_RULES_H
#define SAFEC_RULES_H

#include "Session.h"

#include "clang/AST/ASTContext.h"

namespace safec {

// Runs every AST rule over the translation unit.  BoundsChecked: the compile
// traps out-of-range array indices (-fsanitize=array-bounds in trap mode),
// which is what makes subscripting a true array safe.
void checkTranslationUnit(Session &S, clang::ASTContext &Ctx,
                          bool BoundsChecked);

} // namespace safec

#endif
