// Node gained Symbol.asyncDispose in 20.4; on an older 20 the symbol is made here, under
// the registered name Node itself uses, so that `await using` finds connections' disposers.
const symbols = Symbol as { asyncDispose?: symbol };
symbols.asyncDispose ??= Symbol.for('nodejs.asyncDispose');
export {};
