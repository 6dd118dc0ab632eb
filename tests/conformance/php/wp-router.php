<?php
// Router for PHP's built-in server in front of WordPress (tests/support/wordpress.py): a file
// that exists is served as it is (`return false`), a directory by its index.php (wp-admin/),
// everything else goes to WordPress' index.php, which reads pretty permalinks itself.
$root = $_SERVER['DOCUMENT_ROOT'];
$path = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
if ( is_file( $root . $path ) || ( '/' !== $path && is_file( $root . rtrim( $path, '/' ) . '/index.php' ) ) ) {
    return false;
}
require $root . '/index.php';
