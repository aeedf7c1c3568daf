// The Node-like shell host, in JavaScript: util.inspect / util.format (the
// algorithm of Node 20's lib/internal/util/inspect.js, reimplemented),
// console, process, timers, setImmediate, queueMicrotask and require's module cache.
//
// src/host/node.rs evaluates this file as a classic script. Its completion
// value is the function below; Rust calls it once with `binding` (native
// helpers) and keeps the returned `hooks` object, which the event loop in
// src/host/event_loop.rs drives. Every helper lives in this closure, so user
// code cannot see or replace it, and the builtins it relies on are captured
// before any user code runs (overriding Map.prototype.entries, Array.prototype.push
// and the like later does not change what inspect prints).
(function (binding) {
  'use strict';

  // ----- captured builtins ("primordials") -----
  const FunctionPrototype = Function.prototype;
  const uncurryThis = FunctionPrototype.bind.bind(FunctionPrototype.call);
  const ReflectApply = Reflect.apply;
  const ReflectOwnKeys = Reflect.ownKeys;
  const FunctionPrototypeToString = uncurryThis(FunctionPrototype.toString);
  const FunctionPrototypeSymbolHasInstance = uncurryThis(FunctionPrototype[Symbol.hasInstance]);

  const ObjectPrototype = Object.prototype;
  const ObjectKeys = Object.keys;
  const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
  const ObjectGetOwnPropertySymbols = Object.getOwnPropertySymbols;
  const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const ObjectGetPrototypeOf = Object.getPrototypeOf;
  const ObjectSetPrototypeOf = Object.setPrototypeOf;
  const ObjectDefineProperty = Object.defineProperty;
  const ObjectFreeze = Object.freeze;
  const ObjectIs = Object.is;
  const ObjectPrototypeHasOwnProperty = uncurryThis(ObjectPrototype.hasOwnProperty);
  const ObjectPrototypePropertyIsEnumerable = uncurryThis(ObjectPrototype.propertyIsEnumerable);
  const ObjectPrototypeToString = uncurryThis(ObjectPrototype.toString);

  const ArrayIsArray = Array.isArray;
  const ArrayPrototypePush = uncurryThis(Array.prototype.push);
  const ArrayPrototypePop = uncurryThis(Array.prototype.pop);
  const ArrayPrototypeShift = uncurryThis(Array.prototype.shift);
  const ArrayPrototypeUnshift = uncurryThis(Array.prototype.unshift);
  const ArrayPrototypeJoin = uncurryThis(Array.prototype.join);
  const ArrayPrototypeSort = uncurryThis(Array.prototype.sort);
  const ArrayPrototypeSplice = uncurryThis(Array.prototype.splice);
  const ArrayPrototypeSlice = uncurryThis(Array.prototype.slice);
  const ArrayPrototypeIndexOf = uncurryThis(Array.prototype.indexOf);
  const ArrayPrototypeIncludes = uncurryThis(Array.prototype.includes);

  const StringPrototypeSlice = uncurryThis(String.prototype.slice);
  const StringPrototypeIndexOf = uncurryThis(String.prototype.indexOf);
  const StringPrototypeIncludes = uncurryThis(String.prototype.includes);
  const StringPrototypeStartsWith = uncurryThis(String.prototype.startsWith);
  const StringPrototypeEndsWith = uncurryThis(String.prototype.endsWith);
  const StringPrototypeRepeat = uncurryThis(String.prototype.repeat);
  const StringPrototypePadStart = uncurryThis(String.prototype.padStart);
  const StringPrototypePadEnd = uncurryThis(String.prototype.padEnd);
  const StringPrototypeCharCodeAt = uncurryThis(String.prototype.charCodeAt);
  const StringPrototypeCodePointAt = uncurryThis(String.prototype.codePointAt);
  const StringPrototypeToLowerCase = uncurryThis(String.prototype.toLowerCase);
  const StringPrototypeSplit = uncurryThis(String.prototype.split);
  const StringPrototypeNormalize = uncurryThis(String.prototype.normalize);
  const StringPrototypeValueOf = uncurryThis(String.prototype.valueOf);

  const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);
  const RegExpPrototypeToString = uncurryThis(RegExp.prototype.toString);
  const RegExpPrototypeSymbolReplace = uncurryThis(RegExp.prototype[Symbol.replace]);
  const RegExpPrototypeSymbolSplit = uncurryThis(RegExp.prototype[Symbol.split]);
  const RegExpPrototypeGetGlobal = uncurryThis(ObjectGetOwnPropertyDescriptor(RegExp.prototype, 'global').get);

  const NumberIsNaN = Number.isNaN;
  const NumberIsInteger = Number.isInteger;
  const NumberParseInt = Number.parseInt;
  const NumberParseFloat = Number.parseFloat;
  const NumberPrototypeValueOf = uncurryThis(Number.prototype.valueOf);
  const NumberPrototypeToString = uncurryThis(Number.prototype.toString);
  const NumberPrototypeToFixed = uncurryThis(Number.prototype.toFixed);
  const BooleanPrototypeValueOf = uncurryThis(Boolean.prototype.valueOf);
  const SymbolPrototypeValueOf = uncurryThis(Symbol.prototype.valueOf);
  const SymbolPrototypeToString = uncurryThis(Symbol.prototype.toString);
  const SymbolIterator = Symbol.iterator;
  const SymbolToStringTag = Symbol.toStringTag;
  const SymbolToPrimitive = Symbol.toPrimitive;
  const SymbolFor = Symbol.for;
  const MathMin = Math.min;
  const MathMax = Math.max;
  const MathSqrt = Math.sqrt;
  const MathRound = Math.round;
  const MathFloor = Math.floor;
  const MathTrunc = Math.trunc;
  const JSONStringify = JSON.stringify;
  const String_ = String;
  const Number_ = Number;
  const Error_ = Error;
  const TypeError_ = TypeError;
  const RangeError_ = RangeError;

  const DatePrototypeGetTime = uncurryThis(Date.prototype.getTime);
  const DatePrototypeToISOString = uncurryThis(Date.prototype.toISOString);
  const DatePrototypeToString = uncurryThis(Date.prototype.toString);
  const ErrorPrototypeToString = uncurryThis(Error.prototype.toString);

  const Map_ = Map;
  const MapPrototypeGet = uncurryThis(Map.prototype.get);
  const MapPrototypeSet = uncurryThis(Map.prototype.set);
  const MapPrototypeHas = uncurryThis(Map.prototype.has);
  const MapPrototypeDelete = uncurryThis(Map.prototype.delete);
  const MapPrototypeEntries = uncurryThis(Map.prototype.entries);
  const MapPrototypeGetSize = uncurryThis(ObjectGetOwnPropertyDescriptor(Map.prototype, 'size').get);
  const MapIteratorNext = uncurryThis(ObjectGetPrototypeOf(new Map()[SymbolIterator]()).next);
  const SetPrototypeValues = uncurryThis(Set.prototype.values);
  const SetPrototypeGetSize = uncurryThis(ObjectGetOwnPropertyDescriptor(Set.prototype, 'size').get);
  const SetIteratorNext = uncurryThis(ObjectGetPrototypeOf(new Set()[SymbolIterator]()).next);
  const WeakMapPrototypeHas = uncurryThis(WeakMap.prototype.has);
  const WeakSetPrototypeHas = uncurryThis(WeakSet.prototype.has);
  const MapIteratorPrototype = ObjectGetPrototypeOf(new Map()[SymbolIterator]());
  const SetIteratorPrototype = ObjectGetPrototypeOf(new Set()[SymbolIterator]());

  const AsyncFunctionPrototype = ObjectGetPrototypeOf(async function () {});
  const GeneratorFunctionPrototype = ObjectGetPrototypeOf(function* () {});
  const AsyncGeneratorFunctionPrototype = ObjectGetPrototypeOf(async function* () {});

  const writeOut = binding.writeOut;
  const writeErr = binding.writeErr;
  const promiseState = binding.promiseState;
  const isNativeErrorBinding = binding.isNativeError;
  const hrNow = binding.now;

  // Safe replacements for the bits of the standard library used below.
  function join(output, separator) {
    let str = '';
    if (output.length !== 0) {
      const lastIndex = output.length - 1;
      for (let i = 0; i < lastIndex; i++) {
        str += output[i];
        str += separator;
      }
      str += output[lastIndex];
    }
    return str;
  }

  function SafeMap() {
    return new Map_();
  }

  // ----- type checks (brand checks through captured builtins) -----
  function tryBrand(fn, value) {
    try {
      fn(value);
      return true;
    } catch {
      return false;
    }
  }
  const isMap = (v) => tryBrand(MapPrototypeGetSize, v);
  const isSet = (v) => tryBrand(SetPrototypeGetSize, v);
  const isWeakMap = (v) => {
    try {
      WeakMapPrototypeHas(v, ObjectPrototype);
      return true;
    } catch {
      return false;
    }
  };
  const isWeakSet = (v) => {
    try {
      WeakSetPrototypeHas(v, ObjectPrototype);
      return true;
    } catch {
      return false;
    }
  };
  const isDate = (v) => tryBrand(DatePrototypeGetTime, v);
  const isRegExp = (v) => {
    try {
      return typeof RegExpPrototypeGetGlobal(v) === 'boolean';
    } catch {
      return false;
    }
  };
  const isNumberObject = (v) => tryBrand(NumberPrototypeValueOf, v);
  const isStringObject = (v) => tryBrand(StringPrototypeValueOf, v);
  const isBooleanObject = (v) => tryBrand(BooleanPrototypeValueOf, v);
  const isSymbolObject = (v) => tryBrand(SymbolPrototypeValueOf, v);
  const isBoxedPrimitive = (v) => isNumberObject(v) || isStringObject(v) || isBooleanObject(v) || isSymbolObject(v);
  const isPromise = (v) => promiseState(v) !== undefined;
  const isNativeError = (v) => isNativeErrorBinding(v);
  const isArgumentsObject = (v) => ObjectPrototypeToString(v) === '[object Arguments]' && !ObjectPrototypeHasOwnProperty(v, SymbolToStringTag);
  function protoChainHas(value, proto) {
    let p = ObjectGetPrototypeOf(value);
    while (p !== null) {
      if (p === proto) return true;
      p = ObjectGetPrototypeOf(p);
    }
    return false;
  }
  const isAsyncFunction = (v) => typeof v === 'function' && (protoChainHas(v, AsyncFunctionPrototype) || protoChainHas(v, AsyncGeneratorFunctionPrototype));
  const isGeneratorFunction = (v) => typeof v === 'function' && (protoChainHas(v, GeneratorFunctionPrototype) || protoChainHas(v, AsyncGeneratorFunctionPrototype));
  const isMapIterator = (v) => protoChainHas(v, MapIteratorPrototype);
  const isSetIterator = (v) => protoChainHas(v, SetIteratorPrototype);
  function isError(e) {
    if (isNativeError(e)) return true;
    try {
      return e instanceof Error_;
    } catch {
      return false;
    }
  }

  // ----- util.inspect -----
  const customInspectSymbol = SymbolFor('nodejs.util.inspect.custom');

  const inspectDefaultOptions = {
    showHidden: false,
    depth: 2,
    colors: false,
    customInspect: true,
    showProxy: false,
    maxArrayLength: 100,
    maxStringLength: 10000,
    breakLength: 80,
    compact: 3,
    sorted: false,
    getters: false,
    numericSeparator: false,
  };
  Object.seal(inspectDefaultOptions);

  const kObjectType = 0;
  const kArrayType = 1;
  const kArrayExtrasType = 2;

  /* eslint-disable no-control-regex */
  const strEscapeSequencesRegExp = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const strEscapeSequencesReplacer = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  const strEscapeSequencesRegExpSingle = /[\x00-\x1f\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const strEscapeSequencesReplacerSingle = /[\x00-\x1f\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  const keyStrRegExp = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
  const numberRegExp = /^(0|[1-9][0-9]*)$/;
  const classRegExp = /^(\s+[^(]*?)\s*{/;
  const stripCommentsRegExp = /(\/\/.*?\n)|(\/\*(.|\n)*?\*\/)/g;
  const lineSplitRegExp = /(?<=\n)/;
  const kMinLineLength = 16;

  // The escape of each control character (plus the single quote and the backslash).
  const meta = [];
  for (let i = 0; i < 160; i++) {
    let m = '';
    if (i < 32 || (i >= 127 && i < 160)) {
      const hex = StringPrototypePadStart(NumberPrototypeToString(i, 16).toUpperCase(), 2, '0');
      m = `\\x${hex}`;
    }
    meta[i] = m;
  }
  meta[8] = '\\b';
  meta[9] = '\\t';
  meta[10] = '\\n';
  meta[12] = '\\f';
  meta[13] = '\\r';
  meta[39] = "\\'";
  meta[92] = '\\\\';

  // Global constructors that exist before user code runs (Node's builtInObjects).
  const builtInObjects = SafeMap();
  {
    const names = ObjectGetOwnPropertyNames(globalThis);
    for (let i = 0; i < names.length; i++) {
      if (RegExpPrototypeExec(/^[A-Z][a-zA-Z0-9]+$/, names[i]) !== null) MapPrototypeSet(builtInObjects, names[i], true);
    }
  }

  function addQuotes(str, quotes) {
    if (quotes === -1) return `"${str}"`;
    if (quotes === -2) return `\`${str}\``;
    return `'${str}'`;
  }

  function escapeFn(str) {
    const charCode = StringPrototypeCharCodeAt(str);
    return meta.length > charCode ? meta[charCode] : `\\u${NumberPrototypeToString(charCode, 16)}`;
  }

  // Escapes control characters, the quote in use and the backslash; picks
  // single quotes, else double quotes, else backticks, as Node does.
  function strEscape(str) {
    let escapeTest = strEscapeSequencesRegExp;
    let escapeReplace = strEscapeSequencesReplacer;
    let singleQuote = 39;
    if (StringPrototypeIncludes(str, "'")) {
      if (!StringPrototypeIncludes(str, '"')) {
        singleQuote = -1;
      } else if (!StringPrototypeIncludes(str, '`') && !StringPrototypeIncludes(str, '${')) {
        singleQuote = -2;
      }
      if (singleQuote !== 39) {
        escapeTest = strEscapeSequencesRegExpSingle;
        escapeReplace = strEscapeSequencesReplacerSingle;
      }
    }
    if (str.length < 5000 && RegExpPrototypeExec(escapeTest, str) === null) return addQuotes(str, singleQuote);
    if (str.length > 100) {
      str = RegExpPrototypeSymbolReplace(escapeReplace, str, escapeFn);
      return addQuotes(str, singleQuote);
    }
    let result = '';
    let last = 0;
    for (let i = 0; i < str.length; i++) {
      const point = StringPrototypeCharCodeAt(str, i);
      if (point === singleQuote || point === 92 || point < 32 || (point > 126 && point < 160)) {
        if (last === i) {
          result += meta[point];
        } else {
          result += `${StringPrototypeSlice(str, last, i)}${meta[point]}`;
        }
        last = i + 1;
      } else if (point >= 0xd800 && point <= 0xdfff) {
        if (point <= 0xdbff && i + 1 < str.length) {
          const next = StringPrototypeCharCodeAt(str, i + 1);
          if (next >= 0xdc00 && next <= 0xdfff) {
            i++;
            continue;
          }
        }
        result += `${StringPrototypeSlice(str, last, i)}\\u${NumberPrototypeToString(point, 16)}`;
        last = i + 1;
      }
    }
    if (last !== str.length) result += StringPrototypeSlice(str, last);
    return addQuotes(result, singleQuote);
  }

  function stylizeNoColor(str) {
    return str;
  }

  // Colors (opts.colors) are not supported: output is always plain text.

  function isInstanceof(object, proto) {
    try {
      return object instanceof proto;
    } catch {
      return false;
    }
  }

  function internalGetConstructorName(value) {
    if (typeof value === 'function') return 'Function';
    if (ArrayIsArray(value)) return 'Array';
    if (isMap(value)) return 'Map';
    if (isSet(value)) return 'Set';
    if (isNativeError(value)) return 'Error';
    if (isPromise(value)) return 'Promise';
    if (isDate(value)) return 'Date';
    if (isRegExp(value)) return 'RegExp';
    // Then, like V8, a Symbol.toStringTag data property (no getter runs).
    const tagDesc = findProperty(value, SymbolToStringTag);
    if (tagDesc !== undefined && typeof tagDesc.value === 'string') return tagDesc.value;
    return 'Object';
  }

  function getConstructorName(obj, ctx, recurseTimes, protoProps) {
    let firstProto;
    const tmp = obj;
    while (obj) {
      if (obj === ObjectPrototype || obj === FunctionPrototype) {
        const constructor = obj === ObjectPrototype ? Object : Function;
        if (FunctionPrototypeSymbolHasInstance(constructor, tmp)) {
          if (protoProps !== undefined && firstProto !== obj) {
            addPrototypeProperties(ctx, tmp, firstProto || tmp, recurseTimes, protoProps);
          }
          return obj === ObjectPrototype ? 'Object' : 'Function';
        }
      }
      const descriptor = ObjectGetOwnPropertyDescriptor(obj, 'constructor');
      if (descriptor !== undefined && typeof descriptor.value === 'function' && descriptor.value.name !== '' && isInstanceof(tmp, descriptor.value)) {
        if (protoProps !== undefined && (firstProto !== obj || !MapPrototypeHas(builtInObjects, descriptor.value.name))) {
          addPrototypeProperties(ctx, tmp, firstProto || tmp, recurseTimes, protoProps);
        }
        return String_(descriptor.value.name);
      }
      obj = ObjectGetPrototypeOf(obj);
      if (firstProto === undefined) firstProto = obj;
    }
    if (firstProto === null) return null;
    const res = internalGetConstructorName(tmp);
    if (recurseTimes > ctx.depth && ctx.depth !== null) return `${res} <Complex prototype>`;
    const protoConstr = getConstructorName(firstProto, ctx, recurseTimes + 1, protoProps);
    if (protoConstr === null) {
      const sub = { __proto__: null };
      const ctxKeys = ObjectKeys(ctx);
      for (let i = 0; i < ctxKeys.length; i++) sub[ctxKeys[i]] = ctx[ctxKeys[i]];
      sub.customInspect = false;
      sub.depth = -1;
      return `${res} <${inspect(firstProto, sub)}>`;
    }
    return `${res} <${protoConstr}>`;
  }

  // With showHidden: user-defined properties of the prototype chain (up to three layers).
  function addPrototypeProperties(ctx, main, obj, recurseTimes, output) {
    let depth = 0;
    let keys;
    let keySet;
    do {
      if (depth !== 0 || main === obj) {
        obj = ObjectGetPrototypeOf(obj);
        if (obj === null) return;
        const descriptor = ObjectGetOwnPropertyDescriptor(obj, 'constructor');
        if (descriptor !== undefined && typeof descriptor.value === 'function' && MapPrototypeHas(builtInObjects, descriptor.value.name)) {
          return;
        }
      }
      if (depth === 0) {
        keySet = SafeMap();
      } else {
        for (let i = 0; i < keys.length; i++) MapPrototypeSet(keySet, keys[i], true);
      }
      keys = ReflectOwnKeys(obj);
      ArrayPrototypePush(ctx.seen, main);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (key === 'constructor' || ObjectPrototypeHasOwnProperty(main, key) || (depth !== 0 && MapPrototypeHas(keySet, key))) {
          continue;
        }
        const desc = ObjectGetOwnPropertyDescriptor(obj, key);
        if (typeof desc.value === 'function') continue;
        ArrayPrototypePush(output, formatProperty(ctx, obj, recurseTimes, key, kObjectType, desc, main));
      }
      ArrayPrototypePop(ctx.seen);
    } while (++depth !== 3);
  }

  function getPrefix(constructor, tag, fallback, size = '') {
    if (constructor === null) {
      if (tag !== '' && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
      return `[${fallback}${size}: null prototype] `;
    }
    if (tag !== '' && constructor !== tag) return `${constructor}${size} [${tag}] `;
    return `${constructor}${size} `;
  }

  function getKeys(value, showHidden) {
    let keys;
    const symbols = ObjectGetOwnPropertySymbols(value);
    if (showHidden) {
      keys = ObjectGetOwnPropertyNames(value);
      for (let i = 0; i < symbols.length; i++) ArrayPrototypePush(keys, symbols[i]);
    } else {
      keys = ObjectKeys(value);
      for (let i = 0; i < symbols.length; i++) {
        if (ObjectPrototypePropertyIsEnumerable(value, symbols[i])) ArrayPrototypePush(keys, symbols[i]);
      }
    }
    return keys;
  }

  // Own non-index keys of an array (enumerable only unless showHidden).
  function getOwnNonIndexProperties(value, showHidden) {
    const all = showHidden ? ReflectOwnKeys(value) : getKeys(value, false);
    const keys = [];
    for (let i = 0; i < all.length; i++) {
      const key = all[i];
      if (typeof key === 'string' && RegExpPrototypeExec(numberRegExp, key) !== null && +key <= 2 ** 32 - 2) continue;
      ArrayPrototypePush(keys, key);
    }
    return keys;
  }

  function getCtxStyle(value, constructor, tag) {
    let fallback = '';
    if (constructor === null) {
      fallback = internalGetConstructorName(value);
      if (fallback === tag) fallback = 'Object';
    }
    return getPrefix(constructor, tag, fallback);
  }

  function formatValue(ctx, value, recurseTimes, typedArray) {
    if (typeof value !== 'object' && typeof value !== 'function') {
      return formatPrimitive(ctx.stylize, value, ctx);
    }
    if (value === null) return ctx.stylize('null', 'null');
    const context = value;
    if (ctx.customInspect) {
      let maybeCustom;
      try {
        const desc = findProperty(value, customInspectSymbol);
        maybeCustom = desc === undefined ? undefined : desc.get !== undefined || desc.set !== undefined ? value[customInspectSymbol] : desc.value;
      } catch {
        maybeCustom = undefined;
      }
      if (typeof maybeCustom === 'function' && maybeCustom !== inspect && !isPrototypeObject(value)) {
        const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
        const ret = ReflectApply(maybeCustom, context, [depth, getUserOptions(ctx), inspect]);
        if (ret !== context) {
          if (typeof ret !== 'string') return formatValue(ctx, ret, recurseTimes);
          return ArrayPrototypeJoin(StringPrototypeSplit(ret, '\n'), `\n${StringPrototypeRepeat(' ', ctx.indentationLvl)}`);
        }
      }
    }
    if (ArrayPrototypeIncludes(ctx.seen, value)) {
      let index = 1;
      if (ctx.circular === undefined) {
        ctx.circular = SafeMap();
        MapPrototypeSet(ctx.circular, value, index);
      } else {
        index = MapPrototypeGet(ctx.circular, value);
        if (index === undefined) {
          index = MapPrototypeGetSize(ctx.circular) + 1;
          MapPrototypeSet(ctx.circular, value, index);
        }
      }
      return ctx.stylize(`[Circular *${index}]`, 'special');
    }
    return formatRaw(ctx, value, recurseTimes, typedArray);
  }

  // The descriptor of `key` on `obj` or its prototype chain (no getter runs).
  function findProperty(obj, key) {
    while (obj !== null) {
      const desc = ObjectGetOwnPropertyDescriptor(obj, key);
      if (desc !== undefined) return desc;
      obj = ObjectGetPrototypeOf(obj);
    }
    return undefined;
  }

  // `value.constructor.prototype === value`, read without running getters.
  function isPrototypeObject(value) {
    const desc = findProperty(value, 'constructor');
    if (desc === undefined || typeof desc.value !== 'function') return false;
    const protoDesc = ObjectGetOwnPropertyDescriptor(desc.value, 'prototype');
    return protoDesc !== undefined && protoDesc.value === value;
  }

  function getUserOptions(ctx) {
    const ret = {
      stylize: ctx.stylize,
      showHidden: ctx.showHidden,
      depth: ctx.depth,
      colors: ctx.colors,
      customInspect: ctx.customInspect,
      showProxy: ctx.showProxy,
      maxArrayLength: ctx.maxArrayLength,
      maxStringLength: ctx.maxStringLength,
      breakLength: ctx.breakLength,
      compact: ctx.compact,
      sorted: ctx.sorted,
      getters: ctx.getters,
      numericSeparator: ctx.numericSeparator,
    };
    if (ctx.userOptions !== undefined) {
      const keys = ObjectKeys(ctx.userOptions);
      for (let i = 0; i < keys.length; i++) ret[keys[i]] = ctx.userOptions[keys[i]];
    }
    return ret;
  }

  function formatRaw(ctx, value, recurseTimes, typedArray) {
    let keys;
    let protoProps;
    if (ctx.showHidden && (recurseTimes <= ctx.depth || ctx.depth === null)) protoProps = [];
    const constructor = getConstructorName(value, ctx, recurseTimes, protoProps);
    if (protoProps !== undefined && protoProps.length === 0) protoProps = undefined;

    // Like Node, this runs a Symbol.toStringTag getter (the usual way a class
    // names its tag); one that throws counts as no tag.
    let tag;
    try {
      tag = value[SymbolToStringTag];
    } catch {
      tag = undefined;
    }
    if (typeof tag !== 'string' || (tag !== '' && (ctx.showHidden ? ObjectPrototypeHasOwnProperty : ObjectPrototypePropertyIsEnumerable)(value, SymbolToStringTag))) {
      tag = '';
    }
    let base = '';
    let formatter = getEmptyFormatArray;
    let braces;
    let noIterator = true;
    let i = 0;
    let extrasType = kObjectType;

    if (SymbolIterator in value || constructor === null) {
      noIterator = false;
      if (ArrayIsArray(value)) {
        const prefix = constructor !== 'Array' || tag !== '' ? getPrefix(constructor, tag, 'Array', `(${value.length})`) : '';
        keys = getOwnNonIndexProperties(value, ctx.showHidden);
        braces = [`${prefix}[`, ']'];
        if (value.length === 0 && keys.length === 0 && protoProps === undefined) return `${braces[0]}]`;
        extrasType = kArrayExtrasType;
        formatter = formatArray;
      } else if (isSet(value)) {
        const size = SetPrototypeGetSize(value);
        const prefix = getPrefix(constructor, tag, 'Set', `(${size})`);
        keys = getKeys(value, ctx.showHidden);
        formatter = (c, v, r) => formatSet(value, c, v, r);
        if (size === 0 && keys.length === 0 && protoProps === undefined) return `${prefix}{}`;
        braces = [`${prefix}{`, '}'];
      } else if (isMap(value)) {
        const size = MapPrototypeGetSize(value);
        const prefix = getPrefix(constructor, tag, 'Map', `(${size})`);
        keys = getKeys(value, ctx.showHidden);
        formatter = (c, v, r) => formatMap(value, c, v, r);
        if (size === 0 && keys.length === 0 && protoProps === undefined) return `${prefix}{}`;
        braces = [`${prefix}{`, '}'];
      } else if (isMapIterator(value) || isSetIterator(value)) {
        // The engine cannot preview an iterator's entries without consuming
        // them, so iterators are shown without their contents.
        keys = getKeys(value, ctx.showHidden);
        braces = getIteratorBraces(isMapIterator(value) ? 'Map' : 'Set', tag);
        formatter = () => [ctx.stylize('<items unknown>', 'special')];
      } else {
        noIterator = true;
      }
    }
    if (noIterator) {
      keys = getKeys(value, ctx.showHidden);
      braces = ['{', '}'];
      if (typeof value === 'function') {
        base = getFunctionBase(value, constructor, tag);
        if (keys.length === 0 && protoProps === undefined) return ctx.stylize(base, 'special');
      } else if (constructor === 'Object') {
        if (isArgumentsObject(value)) {
          braces[0] = '[Arguments] {';
        } else if (tag !== '') {
          braces[0] = `${getPrefix(constructor, tag, 'Object')}{`;
        }
        if (keys.length === 0 && protoProps === undefined) return `${braces[0]}}`;
      } else if (isRegExp(value)) {
        base = RegExpPrototypeToString(constructor !== null ? value : new RegExp(value));
        const prefix = getPrefix(constructor, tag, 'RegExp');
        if (prefix !== 'RegExp ') base = `${prefix}${base}`;
        if ((keys.length === 0 && protoProps === undefined) || (recurseTimes > ctx.depth && ctx.depth !== null)) {
          return ctx.stylize(base, 'regexp');
        }
      } else if (isDate(value)) {
        base = NumberIsNaN(DatePrototypeGetTime(value)) ? DatePrototypeToString(value) : DatePrototypeToISOString(value);
        const prefix = getPrefix(constructor, tag, 'Date');
        if (prefix !== 'Date ') base = `${prefix}${base}`;
        if (keys.length === 0 && protoProps === undefined) return ctx.stylize(base, 'date');
      } else if (isError(value)) {
        base = formatError(value, constructor, tag, ctx, keys);
        if (keys.length === 0 && protoProps === undefined) return base;
      } else if (isPromise(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'Promise')}{`;
        formatter = formatPromise;
      } else if (isWeakSet(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'WeakSet')}{`;
        formatter = formatWeakCollection;
      } else if (isWeakMap(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'WeakMap')}{`;
        formatter = formatWeakCollection;
      } else if (isBoxedPrimitive(value)) {
        base = getBoxedBase(value, ctx, keys, constructor, tag);
        if (keys.length === 0 && protoProps === undefined) return base;
      } else {
        if (keys.length === 0 && protoProps === undefined) return `${getCtxStyle(value, constructor, tag)}{}`;
        braces[0] = `${getCtxStyle(value, constructor, tag)}{`;
      }
    }

    if (recurseTimes > ctx.depth && ctx.depth !== null) {
      let constructorName = StringPrototypeSlice(getCtxStyle(value, constructor, tag), 0, -1);
      if (constructor !== null) constructorName = `[${constructorName}]`;
      return ctx.stylize(constructorName, 'special');
    }
    recurseTimes += 1;
    ArrayPrototypePush(ctx.seen, value);
    ctx.currentDepth = recurseTimes;
    let output;
    const indentationLvl = ctx.indentationLvl;
    try {
      output = formatter(ctx, value, recurseTimes);
      for (i = 0; i < keys.length; i++) {
        ArrayPrototypePush(output, formatProperty(ctx, value, recurseTimes, keys[i], extrasType));
      }
      if (protoProps !== undefined) {
        for (let j = 0; j < protoProps.length; j++) ArrayPrototypePush(output, protoProps[j]);
      }
    } catch (err) {
      if (!(err instanceof RangeError_)) throw err;
      const constructorName = StringPrototypeSlice(getCtxStyle(value, constructor, tag), 0, -1);
      ArrayPrototypePop(ctx.seen);
      ctx.indentationLvl = indentationLvl;
      return ctx.stylize(`[${constructorName}: Inspection interrupted prematurely. Maximum call stack size exceeded.]`, 'special');
    }
    if (ctx.circular !== undefined) {
      const index = MapPrototypeGet(ctx.circular, value);
      if (index !== undefined) {
        const reference = ctx.stylize(`<ref *${index}>`, 'special');
        if (ctx.compact !== true) {
          base = base === '' ? reference : `${reference} ${base}`;
        } else {
          braces[0] = `${reference} ${braces[0]}`;
        }
      }
    }
    ArrayPrototypePop(ctx.seen);

    if (ctx.sorted) {
      const comparator = ctx.sorted === true ? undefined : ctx.sorted;
      if (extrasType === kObjectType) {
        ArrayPrototypeSort(output, comparator);
      } else if (keys.length > 1) {
        const sorted = ArrayPrototypeSort(ArrayPrototypeSlice(output, output.length - keys.length), comparator);
        for (let j = 0; j < sorted.length; j++) output[output.length - keys.length + j] = sorted[j];
      }
    }

    const res = reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
    const budget = ctx.budget[ctx.indentationLvl] || 0;
    const newLength = budget + res.length;
    ctx.budget[ctx.indentationLvl] = newLength;
    if (newLength > 2 ** 27) ctx.depth = -1;
    return res;
  }

  function getEmptyFormatArray() {
    return [];
  }

  function getIteratorBraces(type, tag) {
    if (tag !== `${type} Iterator`) {
      if (tag !== '') tag += '] [';
      tag += `${type} Iterator`;
    }
    return [`[${tag}] {`, '}'];
  }

  function getBoxedBase(value, ctx, keys, constructor, tag) {
    let fn;
    let type;
    if (isNumberObject(value)) {
      fn = NumberPrototypeValueOf;
      type = 'Number';
    } else if (isStringObject(value)) {
      fn = StringPrototypeValueOf;
      type = 'String';
      // The index keys of a boxed string are noise.
      ArrayPrototypeSplice(keys, 0, value.length);
    } else if (isBooleanObject(value)) {
      fn = BooleanPrototypeValueOf;
      type = 'Boolean';
    } else {
      fn = SymbolPrototypeValueOf;
      type = 'Symbol';
    }
    let base = `[${type}`;
    if (type !== constructor) {
      if (constructor === null) {
        base += ' (null prototype)';
      } else {
        base += ` (${constructor})`;
      }
    }
    base += `: ${formatPrimitive(stylizeNoColor, fn(value), ctx)}]`;
    if (tag !== '' && tag !== constructor) base += ` [${tag}]`;
    return base;
  }

  function getClassBase(value, constructor, tag) {
    const hasName = ObjectPrototypeHasOwnProperty(value, 'name');
    const name = (hasName && value.name) || '(anonymous)';
    let base = `class ${name}`;
    if (constructor !== 'Function' && constructor !== null) base += ` [${constructor}]`;
    if (tag !== '' && constructor !== tag) base += ` [${tag}]`;
    if (constructor !== null) {
      const superName = ObjectGetPrototypeOf(value).name;
      if (superName) base += ` extends ${superName}`;
    } else {
      base += ' extends [null prototype]';
    }
    return `[${base}]`;
  }

  function getFunctionBase(value, constructor, tag) {
    const stringified = FunctionPrototypeToString(value);
    if (StringPrototypeStartsWith(stringified, 'class') && stringified[stringified.length - 1] === '}') {
      const slice = StringPrototypeSlice(stringified, 5, -1);
      const bracketIndex = StringPrototypeIndexOf(slice, '{');
      if (
        bracketIndex !== -1 &&
        (!StringPrototypeIncludes(StringPrototypeSlice(slice, 0, bracketIndex), '(') ||
          RegExpPrototypeExec(classRegExp, RegExpPrototypeSymbolReplace(stripCommentsRegExp, slice, '')) !== null)
      ) {
        return getClassBase(value, constructor, tag);
      }
    }
    let type = 'Function';
    if (isGeneratorFunction(value)) type = `Generator${type}`;
    if (isAsyncFunction(value)) type = `Async${type}`;
    let base = `[${type}`;
    if (constructor === null) base += ' (null prototype)';
    if (value.name === '') {
      base += ' (anonymous)';
    } else {
      base += `: ${value.name}`;
    }
    base += ']';
    if (constructor !== type && constructor !== null) base += ` ${constructor}`;
    if (tag !== '' && constructor !== tag) base += ` [${tag}]`;
    return base;
  }

  function identicalSequenceRange(a, b) {
    for (let i = 0; i < a.length - 3; i++) {
      const pos = ArrayPrototypeIndexOf(b, a[i]);
      if (pos !== -1) {
        const rest = b.length - pos;
        if (rest > 3) {
          let len = 1;
          const maxLen = MathMin(a.length - i, rest);
          while (maxLen > len && a[i + len] === b[pos + len]) len++;
          if (len > 3) return { len, offset: i };
        }
      }
    }
    return { len: 0, offset: 0 };
  }

  function getStackString(error) {
    return error.stack ? String_(error.stack) : ErrorPrototypeToString(error);
  }

  function getStackFrames(ctx, err, stack) {
    const frames = StringPrototypeSplit(stack, '\n');
    let cause;
    try {
      cause = err.cause;
    } catch {
      // A throwing `cause` getter is ignored.
    }
    if (cause != null && isError(cause)) {
      const causeStack = getStackString(cause);
      const causeStackStart = StringPrototypeIndexOf(causeStack, '\n    at');
      if (causeStackStart !== -1) {
        const causeFrames = StringPrototypeSplit(StringPrototypeSlice(causeStack, causeStackStart + 1), '\n');
        const { len, offset } = identicalSequenceRange(frames, causeFrames);
        if (len > 0) {
          const skipped = len - 2;
          const msg = `    ... ${skipped} lines matching cause stack trace ...`;
          ArrayPrototypeSplice(frames, offset + 1, skipped, ctx.stylize(msg, 'undefined'));
        }
      }
    }
    return frames;
  }

  function improveStack(stack, constructor, name, tag) {
    let len = name.length;
    if (
      constructor === null ||
      (StringPrototypeEndsWith(name, 'Error') && StringPrototypeStartsWith(stack, name) && (stack.length === len || stack[len] === ':' || stack[len] === '\n'))
    ) {
      let fallback = 'Error';
      if (constructor === null) {
        const start = RegExpPrototypeExec(/^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n {4}at)/, stack) || RegExpPrototypeExec(/^([a-z_A-Z0-9-]*Error)$/, stack);
        fallback = (start && start[1]) || '';
        len = fallback.length;
        fallback = fallback || 'Error';
      }
      const prefix = StringPrototypeSlice(getPrefix(constructor, tag, fallback), 0, -1);
      if (name !== prefix) {
        if (StringPrototypeIncludes(prefix, name)) {
          if (len === 0) {
            stack = `${prefix}: ${stack}`;
          } else {
            stack = `${prefix}${StringPrototypeSlice(stack, len)}`;
          }
        } else {
          stack = `${prefix} [${name}]${StringPrototypeSlice(stack, len)}`;
        }
      }
    }
    return stack;
  }

  function removeDuplicateErrorKeys(ctx, keys, err, stack) {
    if (!ctx.showHidden && keys.length !== 0) {
      const names = ['name', 'message', 'stack'];
      for (let i = 0; i < names.length; i++) {
        const index = ArrayPrototypeIndexOf(keys, names[i]);
        if (index !== -1 && StringPrototypeIncludes(stack, err[names[i]])) ArrayPrototypeSplice(keys, index, 1);
      }
    }
  }

  function formatError(err, constructor, tag, ctx, keys) {
    const name = err.name != null ? String_(err.name) : 'Error';
    let stack = getStackString(err);
    removeDuplicateErrorKeys(ctx, keys, err, stack);
    if ('cause' in err && (keys.length === 0 || !ArrayPrototypeIncludes(keys, 'cause'))) ArrayPrototypePush(keys, 'cause');
    if (ArrayIsArray(err.errors) && (keys.length === 0 || !ArrayPrototypeIncludes(keys, 'errors'))) ArrayPrototypePush(keys, 'errors');
    stack = improveStack(stack, constructor, name, tag);
    let pos = (err.message && StringPrototypeIndexOf(stack, err.message)) || -1;
    if (pos !== -1) pos += err.message.length;
    const stackStart = StringPrototypeIndexOf(stack, '\n    at', pos);
    if (stackStart === -1) {
      stack = `[${stack}]`;
    } else {
      const newStack = StringPrototypeSlice(stack, 0, stackStart);
      const lines = getStackFrames(ctx, err, StringPrototypeSlice(stack, stackStart + 1));
      stack = `${newStack}\n${ArrayPrototypeJoin(lines, '\n')}`;
    }
    if (ctx.indentationLvl !== 0) {
      const indentation = StringPrototypeRepeat(' ', ctx.indentationLvl);
      stack = ArrayPrototypeJoin(StringPrototypeSplit(stack, '\n'), `\n${indentation}`);
    }
    return stack;
  }

  // Columns for long arrays of short entries (Node's groupArrayElements).
  function groupArrayElements(ctx, output, value) {
    let totalLength = 0;
    let maxLength = 0;
    let i = 0;
    let outputLength = output.length;
    if (ctx.maxArrayLength < output.length) outputLength--;
    const separatorSpace = 2;
    const dataLen = new Array(outputLength);
    for (; i < outputLength; i++) {
      const len = getStringWidth(output[i]);
      dataLen[i] = len;
      totalLength += len + separatorSpace;
      if (maxLength < len) maxLength = len;
    }
    const actualMax = maxLength + separatorSpace;
    if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
      const approxCharHeights = 2.5;
      const averageBias = MathSqrt(actualMax - totalLength / output.length);
      const biasedMax = MathMax(actualMax - 3 - averageBias, 1);
      const columns = MathMin(
        MathRound(MathSqrt(approxCharHeights * biasedMax * outputLength) / biasedMax),
        MathFloor((ctx.breakLength - ctx.indentationLvl) / actualMax),
        ctx.compact * 4,
        15,
      );
      if (columns <= 1) return output;
      const tmp = [];
      const maxLineLength = [];
      for (let c = 0; c < columns; c++) {
        let lineMaxLength = 0;
        for (let j = c; j < output.length; j += columns) {
          if (dataLen[j] > lineMaxLength) lineMaxLength = dataLen[j];
        }
        ArrayPrototypePush(maxLineLength, lineMaxLength + separatorSpace);
      }
      let order = StringPrototypePadStart;
      if (value !== undefined) {
        for (let k = 0; k < output.length; k++) {
          if (typeof value[k] !== 'number' && typeof value[k] !== 'bigint') {
            order = StringPrototypePadEnd;
            break;
          }
        }
      }
      for (let k = 0; k < outputLength; k += columns) {
        const max = MathMin(k + columns, outputLength);
        let str = '';
        let j = k;
        for (; j < max - 1; j++) {
          const padding = maxLineLength[j - k] + output[j].length - dataLen[j];
          str += order(`${output[j]}, `, padding, ' ');
        }
        if (order === StringPrototypePadStart) {
          const padding = maxLineLength[j - k] + output[j].length - dataLen[j] - separatorSpace;
          str += StringPrototypePadStart(output[j], padding, ' ');
        } else {
          str += output[j];
        }
        ArrayPrototypePush(tmp, str);
      }
      if (ctx.maxArrayLength < output.length) ArrayPrototypePush(tmp, output[outputLength]);
      output = tmp;
    }
    return output;
  }

  const remainingText = (remaining) => `... ${remaining} more item${remaining > 1 ? 's' : ''}`;

  function addNumericSeparator(integerString) {
    let result = '';
    let i = integerString.length;
    const start = integerString[0] === '-' ? 1 : 0;
    for (; i >= start + 4; i -= 3) result = `_${StringPrototypeSlice(integerString, i - 3, i)}${result}`;
    return i === integerString.length ? integerString : `${StringPrototypeSlice(integerString, 0, i)}${result}`;
  }

  function addNumericSeparatorEnd(integerString) {
    let result = '';
    let i = 0;
    for (; i < integerString.length - 3; i += 3) result += `${StringPrototypeSlice(integerString, i, i + 3)}_`;
    return i === 0 ? integerString : `${result}${StringPrototypeSlice(integerString, i)}`;
  }

  function formatNumber(fn, number, numericSeparator) {
    if (!numericSeparator) {
      if (ObjectIs(number, -0)) return fn('-0', 'number');
      return fn(`${number}`, 'number');
    }
    const numberString = String_(number);
    const integer = MathTrunc(number);
    if (integer === number) {
      if (!Number.isFinite(number) || StringPrototypeIncludes(numberString, 'e')) return fn(numberString, 'number');
      return fn(addNumericSeparator(numberString), 'number');
    }
    if (NumberIsNaN(number)) return fn(numberString, 'number');
    const decimalIndex = StringPrototypeIndexOf(numberString, '.');
    const integerPart = StringPrototypeSlice(numberString, 0, decimalIndex);
    const fractionalPart = StringPrototypeSlice(numberString, decimalIndex + 1);
    return fn(`${addNumericSeparator(integerPart)}.${addNumericSeparatorEnd(fractionalPart)}`, 'number');
  }

  function formatPrimitive(fn, value, ctx) {
    if (typeof value === 'string') {
      let trailer = '';
      if (value.length > ctx.maxStringLength) {
        const remaining = value.length - ctx.maxStringLength;
        value = StringPrototypeSlice(value, 0, ctx.maxStringLength);
        trailer = `... ${remaining} more character${remaining > 1 ? 's' : ''}`;
      }
      if (ctx.compact !== true && value.length > kMinLineLength && value.length > ctx.breakLength - ctx.indentationLvl - 4) {
        const lines = RegExpPrototypeSymbolSplit(lineSplitRegExp, value);
        const parts = [];
        for (let i = 0; i < lines.length; i++) ArrayPrototypePush(parts, fn(strEscape(lines[i]), 'string'));
        return ArrayPrototypeJoin(parts, ` +\n${StringPrototypeRepeat(' ', ctx.indentationLvl + 2)}`) + trailer;
      }
      return fn(strEscape(value), 'string') + trailer;
    }
    if (typeof value === 'number') return formatNumber(fn, value, ctx.numericSeparator);
    if (typeof value === 'bigint') return fn(`${value}n`, 'bigint');
    if (typeof value === 'boolean') return fn(`${value}`, 'boolean');
    if (typeof value === 'undefined') return fn('undefined', 'undefined');
    return fn(SymbolPrototypeToString(value), 'symbol');
  }

  // A sparse array, or one with extra keys among the indices.
  function formatSpecialArray(ctx, value, recurseTimes, maxLength, output, i) {
    const keys = ObjectKeys(value);
    let index = i;
    for (; i < keys.length && output.length < maxLength; i++) {
      const key = keys[i];
      const tmp = +key;
      if (tmp > 2 ** 32 - 2) break;
      if (`${index}` !== key) {
        if (RegExpPrototypeExec(numberRegExp, key) === null) break;
        const emptyItems = tmp - index;
        const ending = emptyItems > 1 ? 's' : '';
        ArrayPrototypePush(output, ctx.stylize(`<${emptyItems} empty item${ending}>`, 'undefined'));
        index = tmp;
        if (output.length === maxLength) break;
      }
      ArrayPrototypePush(output, formatProperty(ctx, value, recurseTimes, key, kArrayType));
      index++;
    }
    const remaining = value.length - index;
    if (output.length !== maxLength) {
      if (remaining > 0) {
        const ending = remaining > 1 ? 's' : '';
        ArrayPrototypePush(output, ctx.stylize(`<${remaining} empty item${ending}>`, 'undefined'));
      }
    } else if (remaining > 0) {
      ArrayPrototypePush(output, remainingText(remaining));
    }
    return output;
  }

  function formatArray(ctx, value, recurseTimes) {
    const valLen = value.length;
    const len = MathMin(MathMax(0, ctx.maxArrayLength), valLen);
    const remaining = valLen - len;
    const output = [];
    for (let i = 0; i < len; i++) {
      if (!ObjectPrototypeHasOwnProperty(value, i)) return formatSpecialArray(ctx, value, recurseTimes, len, output, i);
      ArrayPrototypePush(output, formatProperty(ctx, value, recurseTimes, i, kArrayType));
    }
    if (remaining > 0) ArrayPrototypePush(output, remainingText(remaining));
    return output;
  }

  function formatSet(set, ctx, ignored, recurseTimes) {
    const length = SetPrototypeGetSize(set);
    const maxLength = MathMin(MathMax(0, ctx.maxArrayLength), length);
    const remaining = length - maxLength;
    const output = [];
    ctx.indentationLvl += 2;
    const it = SetPrototypeValues(set);
    for (let i = 0; i < maxLength; i++) {
      const step = SetIteratorNext(it);
      if (step.done) break;
      ArrayPrototypePush(output, formatValue(ctx, step.value, recurseTimes));
    }
    if (remaining > 0) ArrayPrototypePush(output, remainingText(remaining));
    ctx.indentationLvl -= 2;
    return output;
  }

  function formatMap(map, ctx, ignored, recurseTimes) {
    const length = MapPrototypeGetSize(map);
    const maxLength = MathMin(MathMax(0, ctx.maxArrayLength), length);
    const remaining = length - maxLength;
    const output = [];
    ctx.indentationLvl += 2;
    const it = MapPrototypeEntries(map);
    for (let i = 0; i < maxLength; i++) {
      const step = MapIteratorNext(it);
      if (step.done) break;
      const entry = step.value;
      ArrayPrototypePush(output, `${formatValue(ctx, entry[0], recurseTimes)} => ${formatValue(ctx, entry[1], recurseTimes)}`);
    }
    if (remaining > 0) ArrayPrototypePush(output, remainingText(remaining));
    ctx.indentationLvl -= 2;
    return output;
  }

  function formatWeakCollection(ctx) {
    return [ctx.stylize('<items unknown>', 'special')];
  }

  function formatPromise(ctx, value, recurseTimes) {
    const details = promiseState(value);
    const state = details[0];
    if (state === 0) return [ctx.stylize('<pending>', 'special')];
    ctx.indentationLvl += 2;
    const str = formatValue(ctx, details[1], recurseTimes);
    ctx.indentationLvl -= 2;
    return [state === 2 ? `${ctx.stylize('<rejected>', 'special')} ${str}` : str];
  }

  function formatProperty(ctx, value, recurseTimes, key, type, desc, original = value) {
    let name;
    let str;
    let extra = ' ';
    desc = desc || ObjectGetOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
    if (desc.value !== undefined) {
      const diff = ctx.compact !== true || type !== kObjectType ? 2 : 3;
      ctx.indentationLvl += diff;
      str = formatValue(ctx, desc.value, recurseTimes);
      if (diff === 3 && ctx.breakLength < getStringWidth(str)) extra = `\n${StringPrototypeRepeat(' ', ctx.indentationLvl)}`;
      ctx.indentationLvl -= diff;
    } else if (desc.get !== undefined) {
      const label = desc.set !== undefined ? 'Getter/Setter' : 'Getter';
      const s = ctx.stylize;
      const sp = 'special';
      if (ctx.getters && (ctx.getters === true || (ctx.getters === 'get' && desc.set === undefined) || (ctx.getters === 'set' && desc.set !== undefined))) {
        try {
          const tmp = ReflectApply(desc.get, original, []);
          ctx.indentationLvl += 2;
          if (tmp === null) {
            str = `${s(`[${label}:`, sp)} ${s('null', 'null')}${s(']', sp)}`;
          } else if (typeof tmp === 'object') {
            str = `${s(`[${label}]`, sp)} ${formatValue(ctx, tmp, recurseTimes)}`;
          } else {
            const primitive = formatPrimitive(s, tmp, ctx);
            str = `${s(`[${label}:`, sp)} ${primitive}${s(']', sp)}`;
          }
          ctx.indentationLvl -= 2;
        } catch (err) {
          const message = `<Inspection threw (${err.message})>`;
          str = `${s(`[${label}:`, sp)} ${message}${s(']', sp)}`;
        }
      } else {
        str = ctx.stylize(`[${label}]`, sp);
      }
    } else if (desc.set !== undefined) {
      str = ctx.stylize('[Setter]', 'special');
    } else {
      str = ctx.stylize('undefined', 'undefined');
    }
    if (type === kArrayType) return str;
    if (typeof key === 'symbol') {
      const tmp = RegExpPrototypeSymbolReplace(strEscapeSequencesReplacer, SymbolPrototypeToString(key), escapeFn);
      name = `[${ctx.stylize(tmp, 'symbol')}]`;
    } else if (key === '__proto__') {
      name = "['__proto__']";
    } else if (desc.enumerable === false) {
      const tmp = RegExpPrototypeSymbolReplace(strEscapeSequencesReplacer, key, escapeFn);
      name = `[${tmp}]`;
    } else if (RegExpPrototypeExec(keyStrRegExp, key) !== null) {
      name = ctx.stylize(key, 'name');
    } else {
      name = ctx.stylize(strEscape(key), 'string');
    }
    return `${name}:${extra}${str}`;
  }

  function isBelowBreakLength(ctx, output, start, base) {
    let totalLength = output.length + start;
    if (totalLength + output.length > ctx.breakLength) return false;
    for (let i = 0; i < output.length; i++) {
      totalLength += output[i].length;
      if (totalLength > ctx.breakLength) return false;
    }
    return base === '' || !StringPrototypeIncludes(base, '\n');
  }

  function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
    if (ctx.compact !== true) {
      if (typeof ctx.compact === 'number' && ctx.compact >= 1) {
        const entries = output.length;
        if (extrasType === kArrayExtrasType && entries > 6) output = groupArrayElements(ctx, output, value);
        if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
          const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
          if (isBelowBreakLength(ctx, output, start, base)) {
            const joinedOutput = join(output, ', ');
            if (!StringPrototypeIncludes(joinedOutput, '\n')) {
              return `${base ? `${base} ` : ''}${braces[0]} ${joinedOutput}` + ` ${braces[1]}`;
            }
          }
        }
      }
      const indentation = `\n${StringPrototypeRepeat(' ', ctx.indentationLvl)}`;
      return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${join(output, `,${indentation}  `)}${indentation}${braces[1]}`;
    }
    if (isBelowBreakLength(ctx, output, 0, base)) {
      return `${braces[0]}${base ? ` ${base}` : ''} ${join(output, ', ')} ` + braces[1];
    }
    const indentation = StringPrototypeRepeat(' ', ctx.indentationLvl);
    const ln = base === '' && braces[0].length === 1 ? ' ' : `${base ? ` ${base}` : ''}\n${indentation}  `;
    return `${braces[0]}${ln}${join(output, `,\n${indentation}  `)} ${braces[1]}`;
  }

  function isZeroWidthCodePoint(code) {
    return (
      code <= 0x1f ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x300 && code <= 0x36f) ||
      (code >= 0x200b && code <= 0x200f) ||
      (code >= 0x20d0 && code <= 0x20ff) ||
      (code >= 0xfe00 && code <= 0xfe0f) ||
      (code >= 0xfe20 && code <= 0xfe2f) ||
      (code >= 0xe0100 && code <= 0xe01ef)
    );
  }

  function isFullWidthCodePoint(code) {
    return (
      code >= 0x1100 &&
      (code <= 0x115f ||
        code === 0x2329 ||
        code === 0x232a ||
        (code >= 0x2e80 && code <= 0x3247 && code !== 0x303f) ||
        (code >= 0x3250 && code <= 0x4dbf) ||
        (code >= 0x4e00 && code <= 0xa4c6) ||
        (code >= 0xa960 && code <= 0xa97c) ||
        (code >= 0xac00 && code <= 0xd7a3) ||
        (code >= 0xf900 && code <= 0xfaff) ||
        (code >= 0xfe10 && code <= 0xfe19) ||
        (code >= 0xfe30 && code <= 0xfe6b) ||
        (code >= 0xff01 && code <= 0xff60) ||
        (code >= 0xffe0 && code <= 0xffe6) ||
        (code >= 0x1b000 && code <= 0x1b001) ||
        (code >= 0x1f200 && code <= 0x1f251) ||
        (code >= 0x1f300 && code <= 0x1f64f) ||
        (code >= 0x20000 && code <= 0x3fffd))
    );
  }

  // Display columns of a string (Node's getStringWidth without ICU: East
  // Asian wide characters count 2, combining marks and controls 0).
  function getStringWidth(str) {
    let width = 0;
    let ascii = true;
    for (let i = 0; i < str.length; i++) {
      const code = StringPrototypeCharCodeAt(str, i);
      if (code >= 127) {
        ascii = false;
        break;
      }
      width += code >= 32 ? 1 : 0;
    }
    if (ascii) return width;
    width = 0;
    str = StringPrototypeNormalize(str, 'NFC');
    for (let i = 0; i < str.length; i++) {
      const code = StringPrototypeCodePointAt(str, i);
      if (code > 0xffff) i++;
      if (isFullWidthCodePoint(code)) {
        width += 2;
      } else if (!isZeroWidthCodePoint(code)) {
        width++;
      }
    }
    return width;
  }

  function inspect(value, opts) {
    const ctx = {
      budget: {},
      indentationLvl: 0,
      seen: [],
      currentDepth: 0,
      stylize: stylizeNoColor,
      showHidden: inspectDefaultOptions.showHidden,
      depth: inspectDefaultOptions.depth,
      colors: inspectDefaultOptions.colors,
      customInspect: inspectDefaultOptions.customInspect,
      showProxy: inspectDefaultOptions.showProxy,
      maxArrayLength: inspectDefaultOptions.maxArrayLength,
      maxStringLength: inspectDefaultOptions.maxStringLength,
      breakLength: inspectDefaultOptions.breakLength,
      compact: inspectDefaultOptions.compact,
      sorted: inspectDefaultOptions.sorted,
      getters: inspectDefaultOptions.getters,
      numericSeparator: inspectDefaultOptions.numericSeparator,
    };
    if (arguments.length > 1) {
      if (arguments.length > 2) {
        if (arguments[2] !== undefined) ctx.depth = arguments[2];
        if (arguments.length > 3 && arguments[3] !== undefined) ctx.colors = arguments[3];
      }
      if (typeof opts === 'boolean') {
        ctx.showHidden = opts;
      } else if (opts) {
        const optKeys = ObjectKeys(opts);
        for (let i = 0; i < optKeys.length; ++i) {
          const key = optKeys[i];
          if (ObjectPrototypeHasOwnProperty(inspectDefaultOptions, key) || key === 'stylize') {
            ctx[key] = opts[key];
          } else if (ctx.userOptions === undefined) {
            ctx.userOptions = opts;
          }
        }
      }
    }
    // Colors are not supported: the output stays plain.
    ctx.stylize = stylizeNoColor;
    if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
    if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
    return formatValue(ctx, value, 0);
  }
  inspect.custom = customInspectSymbol;
  ObjectDefineProperty(inspect, 'defaultOptions', {
    __proto__: null,
    get() {
      return inspectDefaultOptions;
    },
    set(options) {
      if (options === null || typeof options !== 'object') throw makeInvalidArgType('options', 'object', options);
      const keys = ObjectKeys(options);
      for (let i = 0; i < keys.length; i++) {
        if (ObjectPrototypeHasOwnProperty(inspectDefaultOptions, keys[i])) inspectDefaultOptions[keys[i]] = options[keys[i]];
      }
    },
  });

  // ----- util.format -----
  function hasBuiltInToString(value) {
    let hasOwnToString = ObjectPrototypeHasOwnProperty;
    let hasOwnToPrimitive = ObjectPrototypeHasOwnProperty;
    if (typeof value.toString !== 'function') {
      if (typeof value[SymbolToPrimitive] !== 'function') {
        return true;
      } else if (ObjectPrototypeHasOwnProperty(value, SymbolToPrimitive)) {
        return false;
      }
      hasOwnToString = () => false;
    } else if (ObjectPrototypeHasOwnProperty(value, 'toString')) {
      return false;
    } else if (typeof value[SymbolToPrimitive] !== 'function') {
      hasOwnToPrimitive = () => false;
    } else if (ObjectPrototypeHasOwnProperty(value, SymbolToPrimitive)) {
      return false;
    }
    let pointer = value;
    do {
      pointer = ObjectGetPrototypeOf(pointer);
    } while (!hasOwnToString(pointer, 'toString') && !hasOwnToPrimitive(pointer, SymbolToPrimitive));
    const descriptor = ObjectGetOwnPropertyDescriptor(pointer, 'constructor');
    return descriptor !== undefined && typeof descriptor.value === 'function' && MapPrototypeHas(builtInObjects, descriptor.value.name);
  }

  const firstErrorLine = (error) => StringPrototypeSplit(error.message, '\n', 1)[0];
  let CIRCULAR_ERROR_MESSAGE;
  function tryStringify(arg) {
    try {
      return JSONStringify(arg);
    } catch (err) {
      if (!CIRCULAR_ERROR_MESSAGE) {
        try {
          const a = {};
          a.a = a;
          JSONStringify(a);
        } catch (circularError) {
          CIRCULAR_ERROR_MESSAGE = firstErrorLine(circularError);
        }
      }
      if (err.name === 'TypeError' && firstErrorLine(err) === CIRCULAR_ERROR_MESSAGE) return '[Circular]';
      throw err;
    }
  }

  function withOptions(base, extra) {
    const o = {};
    if (base) {
      const keys = ObjectKeys(base);
      for (let i = 0; i < keys.length; i++) o[keys[i]] = base[keys[i]];
    }
    const keys = ObjectKeys(extra);
    for (let i = 0; i < keys.length; i++) o[keys[i]] = extra[keys[i]];
    return o;
  }

  function formatNumberNoColor(number, options) {
    return formatNumber(stylizeNoColor, number, (options && options.numericSeparator) ?? inspectDefaultOptions.numericSeparator);
  }

  function formatWithOptionsInternal(inspectOptions, args) {
    const first = args[0];
    let a = 0;
    let str = '';
    let joinStr = '';
    if (typeof first === 'string') {
      if (args.length === 1) return first;
      let tempStr;
      let lastPos = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (StringPrototypeCharCodeAt(first, i) === 37) {
          // '%'
          const nextChar = StringPrototypeCharCodeAt(first, ++i);
          if (a + 1 !== args.length) {
            switch (nextChar) {
              case 115: {
                // 's'
                const tempArg = args[++a];
                if (typeof tempArg === 'number') {
                  tempStr = formatNumberNoColor(tempArg, inspectOptions);
                } else if (typeof tempArg === 'bigint') {
                  tempStr = `${tempArg}n`;
                } else if (typeof tempArg !== 'object' || tempArg === null || !hasBuiltInToString(tempArg)) {
                  tempStr = String_(tempArg);
                } else {
                  tempStr = inspect(tempArg, withOptions(inspectOptions, { compact: 3, colors: false, depth: 0 }));
                }
                break;
              }
              case 106: // 'j'
                tempStr = tryStringify(args[++a]);
                break;
              case 100: {
                // 'd'
                const tempNum = args[++a];
                if (typeof tempNum === 'bigint') {
                  tempStr = `${tempNum}n`;
                } else if (typeof tempNum === 'symbol') {
                  tempStr = 'NaN';
                } else {
                  tempStr = formatNumberNoColor(Number_(tempNum), inspectOptions);
                }
                break;
              }
              case 79: // 'O'
                tempStr = inspect(args[++a], inspectOptions);
                break;
              case 111: // 'o'
                tempStr = inspect(args[++a], withOptions(inspectOptions, { showHidden: true, showProxy: true, depth: 4 }));
                break;
              case 105: {
                // 'i'
                const tempInteger = args[++a];
                if (typeof tempInteger === 'bigint') {
                  tempStr = `${tempInteger}n`;
                } else if (typeof tempInteger === 'symbol') {
                  tempStr = 'NaN';
                } else {
                  tempStr = formatNumberNoColor(NumberParseInt(tempInteger), inspectOptions);
                }
                break;
              }
              case 102: {
                // 'f'
                const tempFloat = args[++a];
                if (typeof tempFloat === 'symbol') {
                  tempStr = 'NaN';
                } else {
                  tempStr = formatNumberNoColor(NumberParseFloat(tempFloat), inspectOptions);
                }
                break;
              }
              case 99: // 'c'
                a += 1;
                tempStr = '';
                break;
              case 37: // '%'
                str += StringPrototypeSlice(first, lastPos, i);
                lastPos = i + 1;
                continue;
              default:
                continue;
            }
            if (lastPos !== i - 1) str += StringPrototypeSlice(first, lastPos, i - 1);
            str += tempStr;
            lastPos = i + 1;
          } else if (nextChar === 37) {
            str += StringPrototypeSlice(first, lastPos, i);
            lastPos = i + 1;
          }
        }
      }
      if (lastPos !== 0) {
        a++;
        joinStr = ' ';
        if (lastPos < first.length) str += StringPrototypeSlice(first, lastPos);
      }
    }
    while (a < args.length) {
      const value = args[a];
      str += joinStr;
      str += typeof value !== 'string' ? inspect(value, inspectOptions) : value;
      joinStr = ' ';
      a++;
    }
    return str;
  }

  function format(...args) {
    return formatWithOptionsInternal(undefined, args);
  }

  function formatWithOptions(inspectOptions, ...args) {
    if (inspectOptions === null || typeof inspectOptions !== 'object') throw makeInvalidArgType('inspectOptions', 'object', inspectOptions);
    return formatWithOptionsInternal(inspectOptions, args);
  }

  // ----- Node-style errors -----
  function determineSpecificType(value) {
    if (value === null) return 'null';
    if (value === undefined) return 'undefined';
    const type = typeof value;
    switch (type) {
      case 'number':
        if (value === 0) return 1 / value === -Infinity ? 'type number (-0)' : 'type number (0)';
        if (value !== value) return 'type number (NaN)';
        if (value === Infinity) return 'type number (Infinity)';
        if (value === -Infinity) return 'type number (-Infinity)';
        return `type number (${value})`;
      case 'boolean':
        return value ? 'type boolean (true)' : 'type boolean (false)';
      case 'symbol':
        return `type symbol (${String_(value)})`;
      case 'function':
        return `function ${value.name}`;
      case 'object':
        if (value.constructor && 'name' in value.constructor) return `an instance of ${value.constructor.name}`;
        return `${inspect(value, { depth: -1 })}`;
      case 'string':
        if (value.length > 28) value = `${StringPrototypeSlice(value, 0, 25)}...`;
        if (StringPrototypeIndexOf(value, "'") === -1) return `type string ('${value}')`;
        return `type string (${JSONStringify(value)})`;
      default: {
        let s = inspect(value, { colors: false });
        if (s.length > 28) s = `${StringPrototypeSlice(s, 0, 25)}...`;
        return `type ${type} (${s})`;
      }
    }
  }

  // An error like Node's internal errors: `name` stays the constructor's,
  // the stack's first line reads `Name [CODE]: message`, `code` is an own property.
  function makeNodeError(Ctor, code, message) {
    const err = new Ctor(message);
    const stack = err.stack;
    if (typeof stack === 'string') {
      const name = err.name;
      if (StringPrototypeStartsWith(stack, name)) {
        try {
          err.stack = `${name} [${code}]${StringPrototypeSlice(stack, name.length)}`;
        } catch {
          // Leave a non-writable stack alone.
        }
      }
    }
    ObjectDefineProperty(err, 'code', { __proto__: null, value: code, writable: true, enumerable: true, configurable: true });
    return err;
  }

  function makeInvalidArgType(name, expected, actual) {
    const kind = StringPrototypeIncludes(name, '.') ? 'property' : 'argument';
    return makeNodeError(TypeError_, 'ERR_INVALID_ARG_TYPE', `The "${name}" ${kind} must be of type ${expected}. Received ${determineSpecificType(actual)}`);
  }

  function validateFunction(value, name) {
    if (typeof value !== 'function') throw makeInvalidArgType(name, 'function', value);
  }

  // ----- process.nextTick queue (drained by Rust before each microtask checkpoint) -----
  const tickQueue = [];
  let tickHead = 0;

  function nextTick(callback) {
    validateFunction(callback, 'callback');
    if (exiting) return;
    const args = [];
    for (let i = 1; i < arguments.length; i++) ArrayPrototypePush(args, arguments[i]);
    ArrayPrototypePush(tickQueue, { callback, args });
  }

  // Runs the queued ticks (Node's processTicksAndRejections without the
  // microtask checkpoint, which Rust performs after this returns).
  function runTicks() {
    while (tickHead < tickQueue.length) {
      const tock = tickQueue[tickHead];
      tickQueue[tickHead] = undefined;
      tickHead++;
      if (tickHead === tickQueue.length) {
        tickQueue.length = 0;
        tickHead = 0;
      }
      ReflectApply(tock.callback, undefined, tock.args);
    }
  }

  function hasTicks() {
    return tickHead < tickQueue.length;
  }

  function queueMicrotask_(callback) {
    validateFunction(callback, 'callback');
    // A reaction of a resolved promise is a job on the engine's microtask
    // queue. A throw must not become a rejection nobody sees: as in Node, it
    // is an uncaught exception that ends the process.
    PromiseThen(PromiseResolved, () => {
      try {
        callback();
      } catch (err) {
        binding.fatalException(err);
      }
    });
  }
  const PromiseResolved = Promise.resolve();
  const PromiseThen = uncurryThis(Promise.prototype.then);

  // ----- timers (the structure of Node's lib/internal/timers.js) -----
  // Timers of one duration share a list; lists wait in a queue ordered by
  // expiry (then by list id). Times are the loop time: whole milliseconds,
  // updated by the event loop before it runs timers, like libuv's uv_now.
  const TIMEOUT_MAX = 2 ** 31 - 1;
  let loopTime = MathFloor(hrNow());
  let timerListId = 0;
  let refCount = 0;
  let nextAsyncId = 1;
  const timerListMap = SafeMap(); // msecs -> list
  const timerListQueue = []; // lists, unordered; the head is found by scanning
  const knownTimersById = SafeMap();
  const kState = Symbol('timerState');

  function updateLoopTime() {
    loopTime = MathFloor(hrNow());
  }

  function compareLists(a, b) {
    const d = a.expiry - b.expiry;
    if (d === 0) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return d;
  }

  function queuePeek() {
    let best;
    for (let i = 0; i < timerListQueue.length; i++) {
      const l = timerListQueue[i];
      if (best === undefined || compareLists(l, best) < 0) best = l;
    }
    return best;
  }

  function queueRemove(list) {
    const i = ArrayPrototypeIndexOf(timerListQueue, list);
    if (i !== -1) ArrayPrototypeSplice(timerListQueue, i, 1);
  }

  function listRemove(timer) {
    const st = timer[kState];
    if (st.list !== null) {
      const timers = st.list.timers;
      const i = ArrayPrototypeIndexOf(timers, timer);
      if (i !== -1) ArrayPrototypeSplice(timers, i, 1);
      st.list = null;
    }
  }

  function insert(timer, msecs, start) {
    const st = timer[kState];
    listRemove(timer);
    st.idleStart = start;
    let list = MapPrototypeGet(timerListMap, msecs);
    if (list === undefined) {
      list = { expiry: start + msecs, id: timerListId++, msecs, timers: [] };
      MapPrototypeSet(timerListMap, msecs, list);
      ArrayPrototypePush(timerListQueue, list);
    }
    ArrayPrototypePush(list.timers, timer);
    st.list = list;
  }

  function unenroll(timer) {
    const st = timer[kState];
    if (st.destroyed) return;
    st.destroyed = true;
    if (st.hasPrimitive) MapPrototypeDelete(knownTimersById, st.asyncId);
    if (st.refed) refCount--;
    const list = st.list;
    listRemove(timer);
    if (list !== null && list.timers.length === 0 && MapPrototypeGet(timerListMap, list.msecs) === list) {
      queueRemove(list);
      MapPrototypeDelete(timerListMap, list.msecs);
    }
    st.idleTimeout = -1;
  }

  class Timeout {
    constructor(callback, after, args, isRepeat, isRefed) {
      after *= 1;
      if (!(after >= 1 && after <= TIMEOUT_MAX)) {
        if (after > TIMEOUT_MAX) {
          emitWarning(`${after} does not fit into a 32-bit signed integer.\nTimeout duration was set to 1.`, 'TimeoutOverflowWarning');
        }
        after = 1;
      }
      ObjectDefineProperty(this, kState, {
        __proto__: null,
        value: {
          idleTimeout: after,
          idleStart: null,
          onTimeout: callback,
          args,
          repeat: isRepeat ? after : null,
          destroyed: false,
          refed: isRefed,
          hasPrimitive: false,
          asyncId: nextAsyncId++,
          list: null,
        },
      });
      if (isRefed) refCount++;
    }

    refresh() {
      const st = this[kState];
      if (st.idleTimeout >= 0) {
        insert(this, st.idleTimeout, loopTime);
        if (st.destroyed) {
          st.destroyed = false;
          if (st.refed) refCount++;
        }
      }
      return this;
    }

    unref() {
      const st = this[kState];
      if (st.refed) {
        st.refed = false;
        if (!st.destroyed) refCount--;
      }
      return this;
    }

    ref() {
      const st = this[kState];
      if (!st.refed) {
        st.refed = true;
        if (!st.destroyed) refCount++;
      }
      return this;
    }

    hasRef() {
      return this[kState].refed;
    }

    close() {
      clearTimeout(this);
      return this;
    }

    [SymbolToPrimitive]() {
      const st = this[kState];
      if (!st.hasPrimitive) {
        st.hasPrimitive = true;
        MapPrototypeSet(knownTimersById, st.asyncId, this);
      }
      return st.asyncId;
    }
  }

  function setTimeout(callback, after, ...args) {
    validateFunction(callback, 'callback');
    const timeout = new Timeout(callback, after, args.length === 0 ? undefined : args, false, true);
    insert(timeout, timeout[kState].idleTimeout, loopTime);
    return timeout;
  }

  function setInterval(callback, repeat, ...args) {
    validateFunction(callback, 'callback');
    const timeout = new Timeout(callback, repeat, args.length === 0 ? undefined : args, true, true);
    insert(timeout, timeout[kState].idleTimeout, loopTime);
    return timeout;
  }

  function clearTimeout(timer) {
    if (timer && typeof timer === 'object' && timer[kState] !== undefined) {
      const st = timer[kState];
      if (st.onTimeout) {
        st.onTimeout = null;
        unenroll(timer);
      }
      return;
    }
    if (typeof timer === 'number' || typeof timer === 'string') {
      const instance = MapPrototypeGet(knownTimersById, +timer);
      if (instance !== undefined) {
        instance[kState].idleTimeout = -1;
        unenroll(instance);
      }
    }
  }

  // One step of Node's processTimers/listOnTimeout: runs at most one due
  // timer. Returns null after running one (call again; Rust drains ticks and
  // microtasks in between), 0 when no timer is left, and otherwise the next
  // expiry (loop time), negated when only unref'd timers remain.
  function timerStep() {
    for (;;) {
      const list = queuePeek();
      if (list === undefined) return 0;
      if (list.expiry > loopTime) return refCount > 0 ? list.expiry : -list.expiry;
      const timer = list.timers[0];
      if (timer === undefined) {
        if (MapPrototypeGet(timerListMap, list.msecs) === list) MapPrototypeDelete(timerListMap, list.msecs);
        queueRemove(list);
        continue;
      }
      const st = timer[kState];
      const diff = loopTime - st.idleStart;
      if (diff < list.msecs) {
        list.expiry = MathMax(st.idleStart + list.msecs, loopTime + 1);
        list.id = timerListId++;
        continue;
      }
      listRemove(timer);
      if (!st.onTimeout) {
        if (!st.destroyed) {
          st.destroyed = true;
          if (st.hasPrimitive) MapPrototypeDelete(knownTimersById, st.asyncId);
          if (st.refed) refCount--;
        }
        continue;
      }
      let start;
      if (st.repeat) start = MathFloor(hrNow());
      try {
        if (st.args === undefined) {
          ReflectApply(st.onTimeout, timer, []);
        } else {
          ReflectApply(st.onTimeout, timer, st.args);
        }
      } finally {
        if (st.repeat && st.idleTimeout !== -1) {
          st.idleTimeout = st.repeat;
          insert(timer, st.idleTimeout, start);
        } else if (st.list === null && !st.destroyed) {
          st.destroyed = true;
          if (st.hasPrimitive) MapPrototypeDelete(knownTimersById, st.asyncId);
          if (st.refed) refCount--;
        }
      }
      return null;
    }
  }

  // ----- setImmediate (Node's check phase, after the timers of a loop iteration) -----
  let immediateQueue = [];
  let outstandingImmediates = [];
  let immediateRefCount = 0;

  class Immediate {
    constructor(callback, args) {
      ObjectDefineProperty(this, kState, { __proto__: null, value: { callback, args, refed: true, destroyed: false } });
      immediateRefCount++;
      ArrayPrototypePush(immediateQueue, this);
    }

    ref() {
      const st = this[kState];
      if (!st.refed) {
        st.refed = true;
        if (!st.destroyed) immediateRefCount++;
      }
      return this;
    }

    unref() {
      const st = this[kState];
      if (st.refed) {
        st.refed = false;
        if (!st.destroyed) immediateRefCount--;
      }
      return this;
    }

    hasRef() {
      return this[kState].refed;
    }
  }

  function destroyImmediate(st) {
    if (st.destroyed) return;
    st.destroyed = true;
    if (st.refed) immediateRefCount--;
  }

  function setImmediate(callback, ...args) {
    validateFunction(callback, 'callback');
    return new Immediate(callback, args.length === 0 ? undefined : args);
  }

  function clearImmediate(immediate) {
    if (!immediate || typeof immediate !== 'object' || immediate[kState] === undefined) return;
    const st = immediate[kState];
    if (st.callback === null) return;
    st.callback = null;
    destroyImmediate(st);
  }

  // The check phase: the immediates queued so far run (ones they queue wait
  // for the next iteration). `immediateStep` runs one and returns true, or
  // false when the batch is done; Rust drains ticks and microtasks in between.
  function startImmediates() {
    outstandingImmediates = immediateQueue;
    immediateQueue = [];
  }

  function immediateStep() {
    while (outstandingImmediates.length !== 0) {
      const immediate = ArrayPrototypeShift(outstandingImmediates);
      const st = immediate[kState];
      if (st.destroyed || st.callback === null) continue;
      const callback = st.callback;
      st.callback = null;
      destroyImmediate(st);
      ReflectApply(callback, immediate, st.args === undefined ? [] : st.args);
      return true;
    }
    return false;
  }

  // 2: a ref'd immediate is waiting (the loop must not block); 1: only unref'd ones; 0: none.
  function immediatesPending() {
    if (immediateRefCount > 0) return 2;
    return immediateQueue.length !== 0 ? 1 : 0;
  }

  // ----- process -----
  // process.emitWarning: printed on stderr on the next tick, as Node does
  // (with `sable` in place of `node` in the prefix, and no --trace-warnings hint).
  function emitWarning(warning, type, code) {
    let message = warning;
    let name = typeof type === 'string' ? type : 'Warning';
    if (type !== null && typeof type === 'object') {
      if (typeof type.type === 'string') name = type.type;
      code = type.code;
    }
    if (isError(warning)) {
      name = warning.name;
      message = warning.message;
    } else if (typeof warning !== 'string') {
      throw makeInvalidArgType('warning', 'string or an instance of Error', warning);
    }
    const text = `(sable:${binding.pid}) ${typeof code === 'string' ? `[${code}] ` : ''}${name}: ${message}\n`;
    nextTick(() => writeErr(text));
  }

  const listeners = SafeMap(); // event name -> array of { fn, once }
  let exiting = false;
  let exitCode;

  function addListener(event, fn, once) {
    validateFunction(fn, 'listener');
    let list = MapPrototypeGet(listeners, event);
    if (list === undefined) {
      list = [];
      MapPrototypeSet(listeners, event, list);
    }
    ArrayPrototypePush(list, { fn, once });
  }

  function emit(event, ...args) {
    const list = MapPrototypeGet(listeners, event);
    if (list === undefined || list.length === 0) return false;
    const snapshot = ArrayPrototypeSlice(list);
    for (let i = 0; i < snapshot.length; i++) {
      const l = snapshot[i];
      if (l.once) {
        const j = ArrayPrototypeIndexOf(list, l);
        if (j !== -1) ArrayPrototypeSplice(list, j, 1);
      }
      ReflectApply(l.fn, process, args);
    }
    return true;
  }

  function validateExitCode(code) {
    if (code === null || code === undefined) return;
    let value = code;
    if (typeof code === 'string' && code !== '' && NumberIsInteger(+code)) value = +code;
    if (typeof value !== 'number') throw makeInvalidArgType('code', 'number', code);
    if (!NumberIsInteger(value)) {
      throw makeNodeError(RangeError_, 'ERR_OUT_OF_RANGE', `The value of "code" is out of range. It must be an integer. Received ${inspect(code)}`);
    }
  }

  function exitStatus() {
    const code = exitCode === undefined || exitCode === null ? 0 : +exitCode;
    return code | 0;
  }

  // Emits 'exit' once (with the exit code) and returns the final code.
  function emitExit(forcedCode) {
    if (forcedCode !== undefined) exitCode = forcedCode;
    if (!exiting) {
      exiting = true;
      emit('exit', exitStatus());
    }
    return exitStatus();
  }

  function makeStream(write, fd) {
    return {
      fd,
      write(chunk, encoding, cb) {
        if (typeof chunk !== 'string') {
          throw makeInvalidArgType('chunk', 'string or an instance of Buffer or Uint8Array', chunk);
        }
        write(chunk);
        if (typeof encoding === 'function') cb = encoding;
        if (typeof cb === 'function') nextTick(cb);
        return true;
      },
      isTTY: false,
    };
  }

  const process = {
    argv: binding.argv,
    execArgv: [],
    argv0: binding.argv[0],
    execPath: binding.argv[0],
    env: binding.env,
    pid: binding.pid,
    ppid: binding.ppid,
    platform: binding.platform,
    arch: binding.arch,
    version: 'v20.0.0-sable',
    versions: { sable: binding.version },
    title: 'sable',
    stdout: makeStream(writeOut, 1),
    stderr: makeStream(writeErr, 2),
    nextTick,
    emitWarning,
    cwd: () => binding.cwd,
    uptime: () => hrNow() / 1000,
    hrtime(prev) {
      const t = hrNow();
      let sec = MathFloor(t / 1000);
      let nsec = MathRound((t - sec * 1000) * 1e6);
      if (prev !== undefined) {
        sec -= prev[0];
        nsec -= prev[1];
        if (nsec < 0) {
          sec -= 1;
          nsec += 1e9;
        }
      }
      return [sec, nsec];
    },
    on(event, fn) {
      addListener(event, fn, false);
      return process;
    },
    addListener(event, fn) {
      addListener(event, fn, false);
      return process;
    },
    once(event, fn) {
      addListener(event, fn, true);
      return process;
    },
    off(event, fn) {
      const list = MapPrototypeGet(listeners, event);
      if (list !== undefined) {
        for (let i = list.length - 1; i >= 0; i--) {
          if (list[i].fn === fn) {
            ArrayPrototypeSplice(list, i, 1);
            break;
          }
        }
      }
      return process;
    },
    removeAllListeners(event) {
      if (event === undefined) {
        const keys = [];
        const it = MapPrototypeEntries(listeners);
        for (;;) {
          const step = MapIteratorNext(it);
          if (step.done) break;
          ArrayPrototypePush(keys, step.value[0]);
        }
        for (let i = 0; i < keys.length; i++) MapPrototypeDelete(listeners, keys[i]);
      } else {
        MapPrototypeDelete(listeners, event);
      }
      return process;
    },
    emit,
    listenerCount(event) {
      const list = MapPrototypeGet(listeners, event);
      return list === undefined ? 0 : list.length;
    },
    listeners(event) {
      const list = MapPrototypeGet(listeners, event);
      const out = [];
      if (list !== undefined) for (let i = 0; i < list.length; i++) ArrayPrototypePush(out, list[i].fn);
      return out;
    },
    exit(code) {
      if (code !== undefined) process.exitCode = code;
      const status = emitExit();
      binding.reallyExit(status);
    },
  };
  process.removeListener = process.off;
  ObjectDefineProperty(process, 'exitCode', {
    __proto__: null,
    enumerable: true,
    configurable: false,
    get() {
      return exitCode;
    },
    set(code) {
      validateExitCode(code);
      exitCode = code;
    },
  });
  ObjectDefineProperty(process, SymbolToStringTag, { __proto__: null, value: 'process', enumerable: false, writable: true, configurable: true });

  // ----- console -----
  let groupIndent = '';
  const counts = SafeMap();
  const timers = SafeMap();

  function writeLine(write, args) {
    let string = formatWithOptionsInternal(undefined, args);
    if (groupIndent.length !== 0) {
      if (StringPrototypeIncludes(string, '\n')) string = ArrayPrototypeJoin(StringPrototypeSplit(string, '\n'), `\n${groupIndent}`);
      string = groupIndent + string;
    }
    write(`${string}\n`);
  }

  function formatTime(ms) {
    let hours = 0;
    let minutes = 0;
    let seconds = 0;
    if (ms >= 1000) {
      if (ms >= 60000) {
        if (ms >= 3600000) {
          hours = MathFloor(ms / 3600000);
          ms %= 3600000;
        }
        minutes = MathFloor(ms / 60000);
        ms %= 60000;
      }
      seconds = ms / 1000;
    }
    if (hours !== 0 || minutes !== 0) {
      const parts = StringPrototypeSplit(NumberPrototypeToFixed(seconds, 3), '.');
      const pad = (n) => StringPrototypePadStart(`${n}`, 2, '0');
      const res = hours !== 0 ? `${hours}:${pad(minutes)}` : minutes;
      return `${res}:${pad(parts[0])}.${parts[1]} (${hours !== 0 ? 'h:m' : ''}m:ss.mmm)`;
    }
    if (seconds !== 0) return `${NumberPrototypeToFixed(seconds, 3)}s`;
    return `${Number_(NumberPrototypeToFixed(ms, 3))}ms`;
  }

  const console = {
    log(...args) {
      writeLine(writeOut, args);
    },
    info(...args) {
      writeLine(writeOut, args);
    },
    debug(...args) {
      writeLine(writeOut, args);
    },
    error(...args) {
      writeLine(writeErr, args);
    },
    warn(...args) {
      writeLine(writeErr, args);
    },
    dir(object, options) {
      writeLine(writeOut, [inspect(object, withOptions({ customInspect: false }, options || {}))]);
    },
    assert(expression, ...args) {
      if (!expression) {
        if (typeof args[0] === 'string') {
          args[0] = `Assertion failed: ${args[0]}`;
        } else {
          ArrayPrototypeUnshift(args, 'Assertion failed');
        }
        writeLine(writeErr, args);
      }
    },
    trace(...args) {
      const err = new Error_();
      const stack = typeof err.stack === 'string' ? err.stack : '';
      const nl = StringPrototypeIndexOf(stack, '\n');
      let frames = nl === -1 ? '' : StringPrototypeSlice(stack, nl);
      // Drop the frame of console.trace itself.
      const second = StringPrototypeIndexOf(frames, '\n', 1);
      frames = second === -1 ? '' : StringPrototypeSlice(frames, second);
      const message = formatWithOptionsInternal(undefined, args);
      writeLine(writeErr, [`Trace${message === '' ? '' : `: ${message}`}${frames}`]);
    },
    group(...args) {
      if (args.length > 0) writeLine(writeOut, args);
      groupIndent += '  ';
    },
    groupEnd() {
      groupIndent = StringPrototypeSlice(groupIndent, 0, groupIndent.length - 2);
    },
    count(label = 'default') {
      label = `${label}`;
      let count = MapPrototypeGet(counts, label);
      count = count === undefined ? 1 : count + 1;
      MapPrototypeSet(counts, label, count);
      writeLine(writeOut, [`${label}: ${count}`]);
    },
    countReset(label = 'default') {
      MapPrototypeDelete(counts, `${label}`);
    },
    time(label = 'default') {
      MapPrototypeSet(timers, `${label}`, hrNow());
    },
    timeEnd(label = 'default') {
      label = `${label}`;
      const start = MapPrototypeGet(timers, label);
      if (start === undefined) return;
      MapPrototypeDelete(timers, label);
      writeLine(writeOut, [`${label}: ${formatTime(hrNow() - start)}`]);
    },
    timeLog(label = 'default', ...data) {
      label = `${label}`;
      const start = MapPrototypeGet(timers, label);
      if (start === undefined) return;
      ArrayPrototypeUnshift(data, `${label}: ${formatTime(hrNow() - start)}`);
      writeLine(writeOut, data);
    },
  };
  console.groupCollapsed = console.group;

  // ----- util -----
  function promisify(original) {
    validateFunction(original, 'original');
    return function (...args) {
      return new Promise((resolve, reject) => {
        ArrayPrototypePush(args, (err, value) => (err ? reject(err) : resolve(value)));
        ReflectApply(original, this, args);
      });
    };
  }

  function inherits(ctor, superCtor) {
    validateFunction(ctor, 'ctor');
    validateFunction(superCtor, 'superCtor');
    ObjectDefineProperty(ctor, 'super_', { __proto__: null, value: superCtor, writable: true, configurable: true });
    ObjectSetPrototypeOf(ctor.prototype, superCtor.prototype);
  }

  const util = {
    inspect,
    format,
    formatWithOptions,
    promisify,
    inherits,
    isArray: ArrayIsArray,
    types: {
      isPromise,
      isMap,
      isSet,
      isWeakMap,
      isWeakSet,
      isDate,
      isRegExp,
      isNativeError,
      isBoxedPrimitive,
      isNumberObject,
      isStringObject,
      isBooleanObject,
      isSymbolObject,
      isAsyncFunction,
      isGeneratorFunction,
      isMapIterator,
      isSetIterator,
    },
  };

  // ----- require: built-in modules only; the table lives in Rust (node.rs) -----
  const moduleCache = SafeMap();
  function require(id) {
    if (typeof id !== 'string') throw makeInvalidArgType('id', 'string', id);
    if (id === '') {
      throw makeNodeError(TypeError_, 'ERR_INVALID_ARG_VALUE', "The argument 'id' must be a non-empty string. Received ''");
    }
    const prefixed = StringPrototypeStartsWith(id, 'node:');
    const name = prefixed ? StringPrototypeSlice(id, 5) : id;
    let mod = MapPrototypeGet(moduleCache, name);
    if (mod === undefined) {
      mod = binding.loadBuiltin(name);
      if (mod === undefined) {
        if (prefixed) throw makeNodeError(Error_, 'ERR_UNKNOWN_BUILTIN_MODULE', `No such built-in module: ${id}`);
        // Only the main script requires anything, so it is the whole require stack.
        const main = binding.mainScript;
        const err = new Error_(`Cannot find module '${id}'${main === undefined ? '' : `\nRequire stack:\n- ${main}`}`);
        err.code = 'MODULE_NOT_FOUND';
        if (main !== undefined) err.requireStack = [main];
        throw err;
      }
      MapPrototypeSet(moduleCache, name, mod);
    }
    return mod;
  }

  // ----- globals -----
  function defineGlobal(name, value) {
    ObjectDefineProperty(globalThis, name, { __proto__: null, value, writable: true, enumerable: false, configurable: true });
  }
  defineGlobal('console', console);
  defineGlobal('process', process);
  defineGlobal('setTimeout', setTimeout);
  defineGlobal('setInterval', setInterval);
  defineGlobal('clearTimeout', clearTimeout);
  defineGlobal('clearInterval', function clearInterval(timer) {
    clearTimeout(timer);
  });
  defineGlobal('queueMicrotask', queueMicrotask_);
  defineGlobal('setImmediate', setImmediate);
  defineGlobal('clearImmediate', clearImmediate);
  defineGlobal('require', require);
  defineGlobal('global', globalThis);

  return {
    util,
    inspect,
    runTicks,
    hasTicks,
    timerStep,
    startImmediates,
    immediateStep,
    immediatesPending,
    updateLoopTime,
    emitExit,
  };
});
