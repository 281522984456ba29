/* A crate header guarded by '#pragma once', the one pragma crates may use. */
#pragma once

struct once_point {
	int x, y;
};
