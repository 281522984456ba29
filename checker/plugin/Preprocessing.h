#ifndef SAFEC_PREPROCESSING_H
#define SAFEC_PREPROCESSING_H

#include "Session.h"

#include "clang/Lex/PPCallbacks.h"

#include <memory>

namespace safec {

std::unique_ptr<clang::PPCallbacks> makePPCallbacks(Session &S);

} // namespace safec

#endif
