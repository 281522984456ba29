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

// Per-function analyses (Flow.cpp): the stack-frame estimate, definite
// assignment of pointer-holding locals, and addresses of locals that
// outlive them.
void checkFunctionFlows(Session &S, clang::ASTContext &Ctx,
                        clang::FunctionDecl *FD);

// Shared type predicates.
bool containsPointer(clang::QualType T);
bool hasAnnotation(const clang::Decl *D, llvm::StringRef What);

} // namespace safec

#endif
