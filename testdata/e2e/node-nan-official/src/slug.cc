// Native core of slugger: lower-case ASCII slugs, with common Latin-1 letters transliterated.
#include <nan.h>
#include <string>

static const char *translit(unsigned cp)
{
    switch (cp) {
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE4: case 0xE5: return "a";
    case 0xE6: return "ae";
    case 0xE7: return "c";
    case 0xE8: case 0xE9: case 0xEA: case 0xEB: return "e";
    case 0xEC: case 0xED: case 0xEE: case 0xEF: return "i";
    case 0xF1: return "n";
    case 0xF2: case 0xF3: case 0xF4: case 0xF5: case 0xF6: case 0xF8: return "o";
    case 0xF9: case 0xFA: case 0xFB: case 0xFC: return "u";
    case 0xFD: case 0xFF: return "y";
    case 0xDF: return "ss";
    default: return nullptr;
    }
}

static std::string slugify(const std::string &in, char sep)
{
    std::string out;
    bool pending = false;
    for (size_t i = 0; i < in.size();) {
        unsigned char c = in[i];
        unsigned cp;
        size_t len;
        if (c < 0x80) { cp = c; len = 1; }
        else if ((c & 0xE0) == 0xC0 && i + 1 < in.size()) { cp = ((c & 0x1F) << 6) | (in[i + 1] & 0x3F); len = 2; }
        else if ((c & 0xF0) == 0xE0) { cp = 0xFFFF; len = 3; }
        else { cp = 0xFFFF; len = 4; }
        i += len;
        if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) cp += 0x20;  // Latin-1 upper to lower
        std::string piece;
        if (cp < 0x80 && isalnum((int)cp)) piece = std::string(1, (char)tolower((int)cp));
        else if (const char *t = translit(cp)) piece = t;
        if (piece.empty()) { pending = !out.empty(); continue; }
        if (pending) out += sep;
        pending = false;
        out += piece;
    }
    return out;
}

NAN_METHOD(Slugify)
{
    if (info.Length() < 1 || !info[0]->IsString()) {
        Nan::ThrowTypeError("slugify(text[, separator]) wants a string");
        return;
    }
    Nan::Utf8String text(info[0]);
    char sep = '-';
    if (info.Length() > 1 && info[1]->IsString()) {
        Nan::Utf8String s(info[1]);
        if (s.length() == 1) sep = (*s)[0];
    }
    info.GetReturnValue().Set(Nan::New(slugify(std::string(*text, text.length()), sep)).ToLocalChecked());
}

NAN_MODULE_INIT(Init)
{
    Nan::Set(target, Nan::New("slugify").ToLocalChecked(), Nan::GetFunction(Nan::New<v8::FunctionTemplate>(Slugify)).ToLocalChecked());
}

NODE_MODULE(slug, Init)
