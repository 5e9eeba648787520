/** The few fengari (Lua 5.3 in JavaScript) entry points the Argo CD health check test uses. */
declare module 'fengari' {
  export type LuaState = { readonly __brand: 'lua_State' };
  const fengari: {
    lua: {
      LUA_OK: number;
      lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
      lua_tojsstring(L: LuaState, index: number): string;
      lua_settop(L: LuaState, index: number): void;
    };
    lauxlib: {
      luaL_newstate(): LuaState;
      luaL_loadstring(L: LuaState, source: Uint8Array): number;
    };
    lualib: {
      luaL_openlibs(L: LuaState): void;
    };
    to_luastring(text: string): Uint8Array;
  };
  export default fengari;
}
