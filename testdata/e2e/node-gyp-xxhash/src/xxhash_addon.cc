// N-API addon: xxHash64 and XXH3 from the system libxxhash.
#include <napi.h>
#include <xxhash.h>
#include <cstdio>

static Napi::Value Hash(const Napi::CallbackInfo &info, bool xxh3)
{
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsBuffer()) {
        Napi::TypeError::New(env, "expected a Buffer").ThrowAsJavaScriptException();
        return env.Null();
    }
    auto buf = info[0].As<Napi::Buffer<uint8_t>>();
    uint64_t seed = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int64Value() : 0;
    XXH64_hash_t h = xxh3 ? XXH3_64bits_withSeed(buf.Data(), buf.Length(), seed)
                          : XXH64(buf.Data(), buf.Length(), seed);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
    return Napi::String::New(env, hex);
}

static Napi::Value Xxh64(const Napi::CallbackInfo &info) { return Hash(info, false); }
static Napi::Value Xxh3(const Napi::CallbackInfo &info) { return Hash(info, true); }

static Napi::Value Version(const Napi::CallbackInfo &info)
{
    unsigned v = XXH_versionNumber();
    char s[32];
    std::snprintf(s, sizeof s, "%u.%u.%u", v / 10000, v / 100 % 100, v % 100);
    return Napi::String::New(info.Env(), s);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports)
{
    exports.Set("xxh64", Napi::Function::New(env, Xxh64));
    exports.Set("xxh3", Napi::Function::New(env, Xxh3));
    exports.Set("version", Napi::Function::New(env, Version));
    return exports;
}

NODE_API_MODULE(xxhash, Init)
