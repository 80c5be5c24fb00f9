using Defender.ErrorMiddleware.Validation;
using Microsoft.AspNetCore.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds Defender request validation to minimal-API endpoints.</summary>
public static class DefenderValidationEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Validates the endpoints' arguments with their DataAnnotations and the Defender attributes (<c>[FileHash]</c>,
    /// <c>[IpAddress]</c>, <c>[MaxBatchSize]</c>…) and answers the first failure with the Defender envelope. Apply it to a
    /// group (<c>app.MapGroup("/api").WithDefenderValidation()</c>) or one endpoint. Endpoints with nothing to validate are
    /// left exactly as they were. Binding failures, malformed bodies and missing required body members need no call: they
    /// are handled for every endpoint by <c>AddDefenderErrors()</c>.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder WithDefenderValidation<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilterFactory(DefenderValidationEndpointFilter.Create);
    }
}
