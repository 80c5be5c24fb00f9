using Defender.ErrorMiddleware.OpenApi.Shared;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Defender.ErrorMiddleware.Swashbuckle;

/// <summary>Adds the envelope schema even to a document without operations, so clients can always generate the type.</summary>
internal sealed class DefenderErrorDocumentFilter(IServiceProvider services) : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context) =>
        DefenderErrorOpenApiModel.EnsureSchemas(swaggerDoc, DefenderErrorResponseInference.Create(services));
}
