#ifndef SAFEC_PREPROCESSING_H
#define SAFEC_PREPROCESSING_H

#include "Session.h"

#include "clang/Lex/PPCallbacks.h"

#include <memory>

namespace safec {

std::unique_ptr<clang::PPCallbacks> makePPCallbacks(Session &S);

// Judges every attribute (GNU, C23, keyword forms) in the expanded token
// stream against the allowlist of attributes crate code may spell.
void installTokenScanner(Session &S, clang::Preprocessor &PP);

} // namespace safec

#endif
