/* utf8width: display width of UTF-8 strings (East Asian wide characters count 2), as a Lua 5.4 C module. */
#include <lua.h>
#include <lauxlib.h>
#include <wchar.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

static int is_wide(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

static int decode(const unsigned char *s, size_t len, size_t *i, unsigned *cp)
{
    unsigned char c = s[*i];
    int n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    int k;
    if (n == 0 || *i + n > len)
        return -1;
    *cp = n == 1 ? c : c & (0x7F >> n);
    for (k = 1; k < n; k++) {
        if ((s[*i + k] & 0xC0) != 0x80)
            return -1;
        *cp = (*cp << 6) | (s[*i + k] & 0x3F);
    }
    *i += n;
    return 0;
}

static int l_width(lua_State *L)
{
    size_t len, i = 0;
    const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
    lua_Integer w = 0;
    unsigned cp;
    while (i < len) {
        if (decode(s, len, &i, &cp) != 0)
            return luaL_error(L, "invalid UTF-8 at byte %d", (int)i + 1);
        if (cp >= 0x300 && cp <= 0x36F)
            continue; /* combining marks take no column */
        w += is_wide(cp) ? 2 : 1;
    }
    lua_pushinteger(L, w);
    return 1;
}

static int l_pad(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_Integer target = luaL_checkinteger(L, 2);
    lua_Integer w;
    luaL_Buffer b;
    lua_pushcfunction(L, l_width);
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    w = lua_tointeger(L, -1);
    lua_pop(L, 1);
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, s, len);
    for (; w < target; w++)
        luaL_addchar(&b, ' ');
    luaL_pushresult(&b);
    return 1;
}

static const luaL_Reg funcs[] = {{"width", l_width}, {"pad", l_pad}, {NULL, NULL}};

int luaopen_utf8width(lua_State *L)
{
    luaL_newlib(L, funcs);
    lua_pushliteral(L, "utf8width 1.0 for " LUA_VERSION);
    lua_setfield(L, -2, "_VERSION");
    return 1;
}
