using Defender.ErrorMiddleware;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Declares, on endpoints, which Defender error codes they produce, for OpenAPI documents.</summary>
public static class DefenderErrorEndpointConventionBuilderExtensions
{
    /// <summary>Documents documented codes the endpoint produces beyond the inferred ones (e.g. <see cref="DefenderErrorCode.DisabledFeature"/>).</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint(s).</param>
    /// <param name="codes">The codes.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder ProducesDefenderError<TBuilder>(this TBuilder builder, params DefenderErrorCode[] codes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new ProducesDefenderErrorAttribute(codes));
    }

    /// <summary>Documents codes by name, including ones registered with <see cref="DefenderErrorOptions.AddErrorCode(string, int, string)"/>.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint(s).</param>
    /// <param name="codeNames">The code names, case-sensitive.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder ProducesDefenderError<TBuilder>(this TBuilder builder, params string[] codeNames)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new ProducesDefenderErrorAttribute(codeNames));
    }

    /// <summary>Removes codes from the endpoint's documented errors (inferred or declared earlier), e.g. ResourceNotFound for a route value that is never looked up.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint(s).</param>
    /// <param name="codes">The codes.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder ExcludeDefenderError<TBuilder>(this TBuilder builder, params DefenderErrorCode[] codes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new ProducesDefenderErrorAttribute(codes) { Exclude = true });
    }

    /// <summary>Removes codes, by name, from the endpoint's documented errors.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint(s).</param>
    /// <param name="codeNames">The code names, case-sensitive.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder ExcludeDefenderError<TBuilder>(this TBuilder builder, params string[] codeNames)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new ProducesDefenderErrorAttribute(codeNames) { Exclude = true });
    }
}
