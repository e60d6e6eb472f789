/* shelf: query the book catalog with XPath (libxml2), after validating it against its schema. */
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xmlversion.h>
#include "config.h"

static int validate(xmlDocPtr doc, const char *xsd)
{
    xmlSchemaParserCtxtPtr pctx = xmlSchemaNewParserCtxt(xsd);
    xmlSchemaPtr schema = pctx ? xmlSchemaParse(pctx) : NULL;
    xmlSchemaValidCtxtPtr vctx = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
    int rc = vctx ? xmlSchemaValidateDoc(vctx, doc) : -1;
    if (vctx) xmlSchemaFreeValidCtxt(vctx);
    if (schema) xmlSchemaFree(schema);
    if (pctx) xmlSchemaFreeParserCtxt(pctx);
    return rc;
}

int main(int argc, char **argv)
{
    const char *catalog = SHELF_DATADIR "/catalog.xml";
    const char *expr = argc > 1 ? argv[1] : "//book/title";
    xmlDocPtr doc;
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr res;
    int i;

    LIBXML_TEST_VERSION

    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("shelf %s (libxml2 %s)\n", SHELF_VERSION, LIBXML_DOTTED_VERSION);
        return 0;
    }
    doc = xmlReadFile(catalog, NULL, XML_PARSE_NONET);
    if (!doc) {
        fprintf(stderr, "shelf: cannot parse %s\n", catalog);
        return 1;
    }
    if (validate(doc, SHELF_DATADIR "/catalog.xsd") != 0) {
        fprintf(stderr, "shelf: %s does not match its schema\n", catalog);
        return 1;
    }
    printf("catalog %s: valid\n", catalog);
    ctx = xmlXPathNewContext(doc);
    res = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (!res) {
        fprintf(stderr, "shelf: bad XPath: %s\n", expr);
        return 2;
    }
    if (res->type == XPATH_NODESET && res->nodesetval) {
        for (i = 0; i < res->nodesetval->nodeNr; i++) {
            xmlChar *s = xmlNodeGetContent(res->nodesetval->nodeTab[i]);
            printf("%s\n", (const char *)s);
            xmlFree(s);
        }
    } else if (res->type == XPATH_NUMBER) {
        printf("%g\n", res->floatval);
    } else {
        xmlChar *s = xmlXPathCastToString(res);
        printf("%s\n", (const char *)s);
        xmlFree(s);
    }
    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    xmlCleanupParser();
    return 0;
}
