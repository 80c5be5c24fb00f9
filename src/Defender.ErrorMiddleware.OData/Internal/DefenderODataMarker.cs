namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>Marks that <c>AddDefenderOData()</c> ran, so a second call does not map <c>ODataException</c> twice.</summary>
internal sealed class DefenderODataMarker;
