namespace Defender.ErrorMiddleware.Metadata;

/// <summary>
/// Endpoint metadata (or an attribute on a parameter or on a parameter's type) that adds codes to, or removes them from,
/// the error responses the OpenAPI packages document for an endpoint. <see cref="ProducesDefenderErrorAttribute"/> implements it;
/// so can integration packages (the OData package marks endpoints that take query options with <c>ODataError</c>).
/// </summary>
public interface IProducesDefenderErrorMetadata
{
    /// <summary>Code names: documented ones or ones the application registered with <c>AddErrorCode</c>.</summary>
    IReadOnlyList<string> Codes { get; }

    /// <summary>Whether the codes are removed rather than added.</summary>
    bool Exclude { get; }
}
