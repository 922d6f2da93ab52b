// rdtsc returns the time-stamp counter (Intel SDM vol. 2, RDTSC).
#include "textflag.h"

TEXT ·rdtsc(SB), NOSPLIT, $0-8
	RDTSC
	SHLQ $32, DX
	ORQ DX, AX
	MOVQ AX, ret+0(FP)
	RET
